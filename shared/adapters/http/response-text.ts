/** At most `maxBytes` of the body, decoded as UTF-8; the rest is never downloaded. */
export async function readCapped(response: Response, maxBytes: number): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < maxBytes) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).subarray(0, maxBytes).toString('utf8');
}

const maxMessageChars = 300;

/**
 * The service's own explanation of an error answer, shortened to one line: JSON `message`,
 * `error.message`, `error_description`, `errors[].message` (GitHub), RFC 7807 `title`/`detail`, Azure's
 * `error.code`; otherwise the text itself (HTML tags removed).
 */
export function apiMessageOf(text: string, contentType: string | null = null): string {
  const trimmed = text.trim();
  if (!trimmed) return '';
  let parts: string[] = [];
  if (/json/i.test(contentType ?? '') || /^[[{]/.test(trimmed)) {
    try {
      parts = messagesIn(JSON.parse(trimmed) as unknown);
    } catch {
      parts = [];
    }
  }
  const joined = parts.length > 0 ? [...new Set(parts)].join(': ') : trimmed.replace(/<[^>]*>/g, ' ');
  const flat = joined.replace(/\s+/g, ' ').trim();
  return flat.length > maxMessageChars ? `${flat.slice(0, maxMessageChars - 1)}…` : flat;
}

function messagesIn(body: unknown): string[] {
  if (typeof body !== 'object' || body === null) return typeof body === 'string' ? [body] : [];
  const record = body as Record<string, unknown>;
  const parts: string[] = [];
  const add = (value: unknown) => {
    if (typeof value === 'string' && value.trim()) parts.push(value.trim());
  };
  if (typeof record.error === 'object' && record.error !== null) {
    const inner = record.error as Record<string, unknown>;
    add(inner.code);
    add(inner.message);
  } else add(record.error);
  add(record.message);
  add(record.Message);
  add(record.error_description);
  add(record.title);
  add(record.detail);
  if (Array.isArray(record.errors)) {
    for (const error of record.errors) {
      if (typeof error === 'string') add(error);
      else if (typeof error === 'object' && error !== null) {
        add((error as Record<string, unknown>).message);
        add((error as Record<string, unknown>).code);
      }
    }
  }
  return parts;
}
