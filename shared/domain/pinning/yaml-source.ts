import { parseAllDocuments, Scalar, type Document } from 'yaml';

/**
 * Reading YAML without ever re-serialising it: documents come from `yaml`'s parser with source ranges,
 * and every rewrite is a splice into the original text (gitops.md §4: CST round-trip is byte-identical,
 * `Document.toString()` is not).
 */

/** Every document of a file, or the first error (offset into the text, and a reason to report). */
export type ParsedYaml =
  { ok: true; docs: Document.Parsed[] } | { ok: false; offset: number; reason: string };

/**
 * Parses every document of a file. Any error (a Go template, a tab indent) makes the whole file
 * unusable: editing a file we cannot fully read risks corrupting it.
 */
export function parseYaml(content: string): ParsedYaml {
  let docs: Document.Parsed[];
  try {
    // uniqueKeys off: a duplicate key is kubectl's problem, not a reason to refuse pinning.
    docs = parseAllDocuments(content, { prettyErrors: false, uniqueKeys: false });
  } catch (error) {
    return { ok: false, offset: 0, reason: `could not be parsed as YAML: ${(error as Error).message}` };
  }
  for (const doc of docs) {
    const error = doc.errors[0];
    if (error !== undefined) {
      return { ok: false, offset: error.pos[0], reason: `not valid YAML: ${error.message} (${error.code})` };
    }
  }
  return { ok: true, docs };
}

/** A single text replacement in the original content, and the scalar value it should read back as. */
export interface Splice {
  start: number;
  end: number;
  text: string;
  /** Where the written scalar starts inside `text`, and its value: the re-parse check looks for it. */
  valueOffset: number;
  value: string;
}

/** A scalar's text as a reference is matched: plain scalars as written (`1.10` stays `1.10`). */
export type ScalarText = { text: string } | { problem: string };

/** The text of a string-ish scalar; `undefined` for null, booleans and empty values. */
export function scalarText(node: Scalar, src: string): ScalarText | undefined {
  if (node.value === null || node.value === undefined || typeof node.value === 'boolean') return undefined;
  const [start, end] = node.range ?? [0, 0];
  if (node.type === Scalar.BLOCK_LITERAL || node.type === Scalar.BLOCK_FOLDED) {
    return { problem: 'block scalar (| or >); write the reference on one line' };
  }
  const source = src.slice(start, end);
  if (source.includes('\n')) return { problem: 'value spans several lines; write the reference on one line' };
  if (node.type === Scalar.PLAIN) return source === '' ? undefined : { text: source };
  const value = String(node.value);
  return value === '' ? undefined : { text: value };
}

/** Characters a written reference, tag or digest is made of; all safe in every scalar style. */
const safeValue = /^[A-Za-z0-9_][A-Za-z0-9_.:/@+=-]*$/;

/**
 * Replaces a scalar's value, keeping its style: plain stays plain, "double" stays double, 'single' stays
 * single. An empty value (`digest:` or `digest: ""`) is filled in place. Returns a reason when the scalar
 * cannot be edited safely.
 */
export function replaceScalar(node: Scalar, value: string, src: string): Splice | string {
  if (!safeValue.test(value)) return `cannot write "${value}" safely`;
  const [start, end] = node.range ?? [0, 0];
  if (node.type === Scalar.BLOCK_LITERAL || node.type === Scalar.BLOCK_FOLDED) {
    return 'block scalar (| or >); write the reference on one line';
  }
  if (src.slice(start, end).includes('\n'))
    return 'value spans several lines; write the reference on one line';
  if (node.type === Scalar.QUOTE_DOUBLE) return { start, end, text: `"${value}"`, valueOffset: 0, value };
  if (node.type === Scalar.QUOTE_SINGLE) return { start, end, text: `'${value}'`, valueOffset: 0, value };
  if (start === end) {
    // `key:` / `key: # comment`: the empty plain scalar sits at the comment or line end.
    const lead = src[start - 1] === ':' ? ' ' : '';
    const trail = src[start] === '#' ? ' ' : '';
    return { start, end, text: `${lead}${value}${trail}`, valueOffset: lead.length, value };
  }
  // A plain value must still read back as a string: `1.5` alone would become a number.
  const text = typeof node.value === 'string' && !plainIsString(value) ? `"${value}"` : value;
  return { start, end, text, valueOffset: 0, value };
}

/** YAML 1.2 core and 1.1 (go-yaml, Kubernetes) plain scalars that do not resolve to strings. */
const nonString =
  /^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE|y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF|[-+]?[0-9_]+|0o[0-7]+|0x[0-9a-fA-F]+|[-+]?(?:\.[0-9]+|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;

function plainIsString(text: string): boolean {
  return !nonString.test(text);
}

/** Line numbers for offsets, computed once per file and only for files that change or are skipped. */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(private readonly text: string) {
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }

  /** 1-based line of an offset. */
  lineOf(offset: number): number {
    let low = 0;
    let high = this.starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if ((this.starts[mid] ?? 0) <= offset) low = mid;
      else high = mid - 1;
    }
    return low + 1;
  }

  /** Offset where a 1-based line starts. */
  startOf(line: number): number {
    return this.starts[line - 1] ?? this.text.length;
  }

  /** Offset of a line's break (`\r\n` or `\n`), or the end of the text for the last line. */
  breakOf(line: number): number {
    const next = this.starts[line];
    if (next === undefined) return this.text.length;
    return this.text[next - 2] === '\r' ? next - 2 : next - 1;
  }

  /** A line's text without its break, and without a byte-order mark on line 1. */
  textOf(line: number): string {
    const text = this.text.slice(this.startOf(line), this.breakOf(line));
    return line === 1 && text.startsWith('\uFEFF') ? text.slice(1) : text;
  }
}
