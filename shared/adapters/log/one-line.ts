// Control characters are exactly what this pattern is about.
// eslint-disable-next-line no-control-regex
const controlCharacters = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
const named: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * A log message as exactly one line: every control character (C0, DEL, C1, and the Unicode line and
 * paragraph separators) is written as an escape (`\n`, `\u001b`), so a value such as a repository
 * named `api\nFAKE LOG LINE` cannot start a forged line or send terminal escape codes.
 */
export function oneLine(message: string): string {
  return message.replace(
    controlCharacters,
    (char) => named[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/**
 * The one-line message with its fields appended as ` name=value` (in the order given, unset ones
 * left out); a value with a space, a quote or an `=` is written as a JSON string so the line still
 * splits back into the same fields.
 */
export function lineWithFields(message: string, fields?: Readonly<Record<string, unknown>>): string {
  let line = oneLine(message);
  if (!fields) return line;
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    const text = oneLine(String(value));
    line += ` ${name}=${text === '' || /[\s"=]/.test(text) ? JSON.stringify(text) : text}`;
  }
  return line;
}
