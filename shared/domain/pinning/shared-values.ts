import type { AnchorIndex } from './anchor-index';
import type { ProposedEdit } from './plan-edits';

/** A candidate's edits, all or nothing, with the offset it is reported at. */
export interface Planned {
  edits: ProposedEdit[];
  offset: number;
  /** Source ranges of every field the candidate read (see `Proposal.covers`). */
  covers: [number, number][];
  anchors: AnchorIndex;
  /** Set when the edits must not be applied, with the reason reported as skipped. */
  rejected?: string;
}

function editKey(edit: ProposedEdit): string {
  return `${edit.node === undefined ? 'insert' : 'replace'}:${edit.splice.start}`;
}

/** Two references sharing one scalar (through an alias) that need different text: touch neither. */
export function rejectConflicts(planned: Planned[]): void {
  const texts = new Map<string, string>();
  const conflicting = new Set<string>();
  for (const plan of planned) {
    for (const edit of plan.edits) {
      const key = editKey(edit);
      const known = texts.get(key);
      if (known === undefined) texts.set(key, edit.splice.text);
      else if (known !== edit.splice.text) conflicting.add(key);
    }
  }
  for (const plan of planned) {
    if (plan.edits.some((edit) => conflicting.has(editKey(edit)))) {
      plan.rejected =
        'this value is shared (anchor/alias) by references that need different values; edit it by hand';
    }
  }
}

/**
 * An anchored scalar changes every alias of it. Edit it only when the anchor itself and every alias are
 * references to this image that get the very same edit; otherwise (a tag anchor reused in a label, in
 * another app's values…) skip, because the file would still parse but mean something else.
 */
export function rejectSharedAnchors(planned: Planned[], lineOf: (offset: number) => number): void {
  for (let changed = true; changed;) {
    changed = false;
    const uses = new Map<string, Set<unknown>>();
    for (const plan of planned) {
      if (plan.rejected !== undefined) continue;
      for (const edit of plan.edits) {
        const key = `${editKey(edit)}:${edit.splice.text}`;
        const set = uses.get(key) ?? new Set<unknown>();
        set.add(edit.via ?? 'anchor');
        uses.set(key, set);
      }
    }
    for (const plan of planned) {
      if (plan.rejected !== undefined) continue;
      for (const edit of plan.edits) {
        const node = edit.node;
        if (node?.anchor === undefined) continue;
        const used = uses.get(`${editKey(edit)}:${edit.splice.text}`) ?? new Set<unknown>();
        const unused = used.has('anchor')
          ? plan.anchors.aliasesOf(node).find((alias) => !used.has(alias))
          : node;
        if (unused === undefined) continue;
        plan.rejected =
          `&${node.anchor} is also used at line ${lineOf(unused.range?.[0] ?? 0)}, which is not a reference to ` +
          'this image; editing the anchor would change it too, edit it by hand';
        changed = true;
        break;
      }
    }
  }
}
