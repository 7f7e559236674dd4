import { isScalar, type Alias, type Scalar } from 'yaml';
import type { Field, SplitCandidate } from './candidate';
import { replaceScalar, type Splice } from './yaml-source';

/** One text change a candidate wants; `node` is the scalar it replaces (none for an added key). */
export interface ProposedEdit {
  splice: Splice;
  node?: Scalar;
  via?: Alias;
}

/** An edit replacing a field's value in its own style, or why it cannot be done. */
export function replaceField(field: Field, value: string, src: string): ProposedEdit | string {
  const splice = replaceScalar(field.node, value, src);
  if (typeof splice === 'string') return splice;
  const edit: ProposedEdit = { splice, node: field.node };
  if (field.via !== undefined) edit.via = field.via;
  return edit;
}

/**
 * Adds `digest:` to a kustomize entry that has none: on its own line after `newTag:` (or whichever key
 * `insertAfter` names), at that key's column and with the file's line break; `, digest: …` in a flow map.
 */
export function insertDigest(candidate: SplitCandidate, digest: string, src: string): ProposedEdit | string {
  const anchor = candidate.insertAfter;
  const key = anchor?.pair.key;
  const value = anchor?.pair.value;
  if (anchor === undefined || !isScalar(key) || !key.range || !isScalar(value) || !value.range) {
    return 'cannot add a digest key to this entry; add `digest:` by hand';
  }
  const valueEnd = value.range[1];
  if (anchor.map.flow === true) return insertion(valueEnd, ', digest: ', digest);
  const keyStart = key.range[0];
  const newline = src.indexOf('\n', valueEnd);
  const lineEnd = newline === -1 ? src.length : src[newline - 1] === '\r' ? newline - 1 : newline;
  const eol = newline === -1 ? (src.includes('\r\n') ? '\r\n' : '\n') : src.slice(lineEnd, newline + 1);
  const indent = ' '.repeat(keyStart - (src.lastIndexOf('\n', keyStart - 1) + 1));
  return insertion(lineEnd, `${eol}${indent}digest: `, digest);
}

function insertion(offset: number, lead: string, digest: string): ProposedEdit {
  return {
    splice: { start: offset, end: offset, text: lead + digest, valueOffset: lead.length, value: digest },
  };
}
