import { isScalar, Lexer, visit, type Scalar } from 'yaml';
import type { RewriteChange } from './rewrite-types';
import { LineIndex, parseYaml, type Splice } from './yaml-source';

/**
 * Applies splices to the original text and checks the result: every written scalar must read back as
 * the intended value, as one token in place (replacements) or in a full re-parse that keeps the number
 * of documents (added keys, filled empty values). Anything else is a bug in the engine, and the file is
 * left alone rather than committed broken.
 */
export function spliceAndVerify(
  file: string,
  src: string,
  documents: number,
  edits: readonly Splice[],
): { content: string; changes: RewriteChange[] } | { problem: string } {
  const unique = new Map<string, Splice>();
  for (const edit of edits) unique.set(`${edit.start}:${edit.end}:${edit.text}`, edit);
  const splices = [...unique.values()].sort((a, b) => a.start - b.start || a.end - b.end);
  const moved: { splice: Splice; start: number }[] = [];
  let content = '';
  let cursor = 0;
  for (const splice of splices) {
    if (splice.start < cursor) {
      return { problem: `overlapping edits; left unchanged (please report ${file})` };
    }
    content += src.slice(cursor, splice.start);
    moved.push({ splice, start: content.length });
    content += splice.text;
    cursor = splice.end;
  }
  content += src.slice(cursor);

  const problem = verify(content, documents, moved);
  if (problem !== undefined) return { problem: `${problem}; left unchanged (please report ${file})` };
  return { content, changes: changedLines(file, src, content, moved) };
}

function verify(
  content: string,
  documents: number,
  moved: { splice: Splice; start: number }[],
): string | undefined {
  // Replacing one scalar token with one token of the same style cannot change the structure, so checking
  // the tokens is enough, and about five times cheaper than parsing (yaml's parser reads process.env on
  // every token). Added keys and filled empty values change the token stream: parse those files.
  if (moved.every(({ splice }) => splice.start !== splice.end)) return verifyTokens(content, moved);
  const after = parseYaml(content);
  if (!after.ok) return `the rewritten file does not parse (${after.reason})`;
  if (after.docs.length !== documents) return 'the rewritten file has another number of documents';
  const scalars = new Map<number, Scalar>();
  for (const doc of after.docs) {
    visit(doc, {
      Scalar: (_key, node) => {
        if (node.range) scalars.set(node.range[0], node);
      },
    });
  }
  for (const { splice, start } of moved) {
    const node = scalars.get(start + splice.valueOffset);
    if (!isScalar(node) || String(node.value) !== splice.value) {
      return `the rewritten value "${splice.value}" does not read back`;
    }
  }
  return undefined;
}

/**
 * Every written text must come back from the lexer as exactly one token at the same place. The line
 * alone is lexed first (cheap, and exact in block context); a line inside a multi-line flow collection
 * can fail that check spuriously, so a failure is retried on the whole file before giving up.
 */
function verifyTokens(content: string, moved: { splice: Splice; start: number }[]): string | undefined {
  // A token reads back as its value when it is the value, or the value in quotes with nothing to escape.
  const readsBack = ({ text, value }: Splice): boolean =>
    text === value ||
    ((text[0] === '"' || text[0] === "'") &&
      text.at(-1) === text[0] &&
      text.slice(1, -1) === value &&
      !/["'\\]/.test(value));
  const wrong = moved.find(({ splice }) => !readsBack(splice));
  if (wrong !== undefined) return `the rewritten value "${wrong.splice.value}" does not read back`;
  const lineLocal = moved.every(({ splice, start }) => {
    const lineStart = content.lastIndexOf('\n', start - 1) + 1;
    const newline = content.indexOf('\n', start + splice.text.length);
    const line = content.slice(lineStart, newline === -1 ? content.length : newline);
    return tokensAt(line, new Map([[start - lineStart, splice.text]]));
  });
  if (lineLocal) return undefined;
  const expected = new Map(moved.map(({ splice, start }) => [start, splice.text]));
  return tokensAt(content, expected) ? undefined : 'a rewritten value does not read back as one YAML token';
}

/** Whether the lexer yields exactly the expected token at each expected offset. */
function tokensAt(text: string, expected: ReadonlyMap<number, string>): boolean {
  let offset = 0;
  let found = 0;
  for (const token of new Lexer().lex(text)) {
    // Lexer control codes (document, flow error end, scalar prefix) are not part of the source.
    if (token === '\x02' || token === '\x18' || token === '\x1f') continue;
    const wanted = expected.get(offset);
    if (wanted !== undefined) {
      if (token !== wanted) return false;
      found++;
    }
    offset += token.length;
  }
  return found === expected.size;
}

/**
 * One change per line that differs. Splices never remove a line break, so every old line maps to one
 * new line, and a splice whose text holds a break adds lines (reported with `before: ''`).
 */
function changedLines(
  file: string,
  src: string,
  content: string,
  moved: { splice: Splice; start: number }[],
): RewriteChange[] {
  const oldLines = new LineIndex(src);
  const newLines = new LineIndex(content);
  const touched = new Map<number, number | undefined>();
  for (const { splice, start } of moved) {
    const first = newLines.lineOf(start);
    const last = newLines.lineOf(start + splice.text.length);
    if (!touched.has(first)) touched.set(first, oldLines.lineOf(splice.start));
    for (let line = first + 1; line <= last; line++) touched.set(line, undefined);
  }
  const changes: RewriteChange[] = [];
  for (const [line, oldLine] of [...touched].sort((a, b) => a[0] - b[0])) {
    const before = oldLine === undefined ? '' : oldLines.textOf(oldLine);
    const after = newLines.textOf(line);
    if (oldLine === undefined || before !== after) changes.push({ file, line, before, after });
  }
  return changes;
}
