import { documentCandidates } from './document-candidates';
import { evaluateCandidate } from './evaluate-candidate';
import { mentionOffsets, UnreadMentions } from './mentions';
import type { PinTarget } from './pin-target';
import type { RewriteChange, RewriteMention, RewriteSkip, SkipKind } from './rewrite-types';
import { LineIndex, parseYaml, type Splice } from './yaml-source';
import { rejectConflicts, rejectSharedAnchors, type Planned } from './shared-values';
import { spliceAndVerify } from './splice-and-verify';

/** What happened to one file: its new content when it changed. */
export interface FileOutcome {
  content?: string;
  changes: RewriteChange[];
  skipped: RewriteSkip[];
  mentions: RewriteMention[];
}

/** A candidate left alone: why, where it is reported when no line of it is a mention, what it read. */
interface Unpinned {
  at: number;
  covers: [number, number][];
  reason: string;
  kind: SkipKind;
}

/**
 * Rewrites one file: find candidates, decide, check shared (anchored) values, splice, verify. Then every
 * line that mentions the pushed repository (`mentionOffsets`) is accounted for: pinned by a change, or
 * skipped with a reason at that very line — the reason of the candidate that read it (reported at its
 * mention lines, else at its value), or where the mention sits (a comment, a block scalar, a field that
 * is not an image).
 */
export function rewriteFile(file: string, src: string, target: PinTarget): FileOutcome {
  // Screening like Flux's `"$imagepolicy"` check: a file that never spells the repository cannot refer
  // to it, and most files in a GitOps repo do not, so most files are never parsed.
  if (target.registry === '' || target.tag === undefined || !src.includes(target.screen)) {
    return { changes: [], skipped: [], mentions: [] };
  }
  const lines = new LineIndex(src);
  const lineOf = (offset: number): number => lines.lineOf(offset);
  const mentionAt = new Map<number, number>();
  for (const offset of mentionOffsets(src, target)) {
    const line = lineOf(offset);
    if (!mentionAt.has(line)) mentionAt.set(line, offset);
  }

  const parsed = parseYaml(src);
  if (!parsed.ok) return unparsed(file, src, parsed, mentionAt, lineOf);

  const unpinned: Unpinned[] = [];
  const planned: Planned[] = [];
  const { documents, markerProblems } = documentCandidates(parsed.docs, src, file);
  for (const { offset, reason } of markerProblems) {
    unpinned.push({ at: offset, covers: [], reason, kind: 'invalid-marker' });
  }
  for (const { anchors, candidates } of documents) {
    for (const candidate of candidates) {
      const proposal = evaluateCandidate(candidate, src, target);
      if (proposal === undefined) continue;
      const { at, covers } = proposal;
      if ('skip' in proposal) unpinned.push({ at, covers, reason: proposal.skip, kind: proposal.kind });
      else if (proposal.edits.length > 0)
        planned.push({ edits: proposal.edits, offset: at, covers, anchors });
    }
  }

  rejectConflicts(planned);
  rejectSharedAnchors(planned, lineOf);
  let accepted = planned.filter((plan) => plan.rejected === undefined);
  const unpin = (plan: Planned, reason: string, kind: SkipKind): void => {
    unpinned.push({ at: plan.offset, covers: plan.covers, reason, kind });
  };
  for (const plan of planned) if (plan.rejected !== undefined) unpin(plan, plan.rejected, 'shared-anchor');
  let outcome: { content: string; changes: RewriteChange[] } | undefined;
  let splices = accepted.flatMap((plan) => plan.edits.map((edit) => edit.splice));
  if (accepted.length > 0) {
    const spliced = spliceAndVerify(file, src, parsed.docs.length, splices);
    if ('problem' in spliced) {
      for (const plan of accepted) unpin(plan, spliced.problem, 'cannot-edit');
      accepted = [];
      splices = [];
    } else {
      outcome = spliced;
    }
  }

  // The mention lines each candidate read: a skip is reported there, so every mention has its own.
  const linesOf = (covers: readonly [number, number][]): number[] =>
    covers.flatMap(([start, end]) => {
      const found: number[] = [];
      for (let line = lineOf(start); line <= lineOf(end === start ? end : end - 1); line++) {
        if (mentionAt.has(line)) found.push(line);
      }
      return found;
    });
  const skipped: RewriteSkip[] = [];
  const accounted = new Map<number, RewriteMention>();
  const newLineOf = newLineNumbers(lines, splices);
  for (const plan of accepted) {
    const [first] = plan.edits;
    const changedLine = first === undefined ? lineOf(plan.offset) : newLineOf(first.splice);
    // The value that names the image is a mention even when the text alone is not (`image: nginx`).
    const mentioned = linesOf(plan.covers);
    for (const line of mentioned.length > 0 ? mentioned : [lineOf(plan.offset)]) {
      accounted.set(line, { file, line, outcome: 'pinned', changedLine });
    }
  }
  for (const { at, covers, reason, kind } of unpinned) {
    const mentioned = linesOf(covers);
    for (const line of mentioned.length > 0 ? mentioned : [lineOf(at)]) {
      skipped.push({ file, line, reason, kind });
      if (!accounted.has(line) && (kind !== 'invalid-marker' || mentionAt.has(line))) {
        accounted.set(line, { file, line, outcome: 'skipped' });
      }
    }
  }
  const unread = new UnreadMentions(parsed.docs, target);
  for (const [line, offset] of mentionAt) {
    if (accounted.has(line)) continue;
    const { reason, kind } = unread.reason(offset);
    skipped.push({ file, line, reason, kind });
    accounted.set(line, { file, line, outcome: 'skipped' });
  }

  const mentions = [...accounted.values()].sort((a, b) => a.line - b.line);
  const result = { skipped: dedupeSkips(skipped), mentions };
  return outcome === undefined ? { changes: [], ...result } : { ...outcome, ...result };
}

/** A file that is not YAML: every mention is skipped with the parse error (else the error's own line). */
function unparsed(
  file: string,
  src: string,
  parsed: { offset: number; reason: string },
  mentionAt: ReadonlyMap<number, number>,
  lineOf: (offset: number) => number,
): FileOutcome {
  const kind: SkipKind = /\{\{|\{%/.test(src) ? 'templated' : 'invalid-yaml';
  const errorLine = lineOf(parsed.offset);
  if (mentionAt.size === 0) {
    return { changes: [], skipped: [{ file, line: errorLine, reason: parsed.reason, kind }], mentions: [] };
  }
  const lines = [...mentionAt.keys()].sort((a, b) => a - b);
  return {
    changes: [],
    skipped: lines.map((line) => ({
      file,
      line,
      reason: line === errorLine ? parsed.reason : `${parsed.reason} (at line ${errorLine})`,
      kind,
    })),
    mentions: lines.map((line) => ({ file, line, outcome: 'skipped' })),
  };
}

/**
 * The new line a splice's value lands on: only inserted text adds line breaks, so an old offset moves
 * down by the breaks inserted before it, and an added key (`\n  digest: …`) is on the line after.
 */
function newLineNumbers(lines: LineIndex, splices: readonly Splice[]): (splice: Splice) => number {
  const breaks = (text: string): number => text.split('\n').length - 1;
  return (splice) => {
    let shift = 0;
    for (const other of splices) if (other.start < splice.start) shift += breaks(other.text);
    return lines.lineOf(splice.start) + shift + breaks(splice.text.slice(0, splice.valueOffset));
  };
}

function dedupeSkips(skipped: RewriteSkip[]): RewriteSkip[] {
  const seen = new Set<string>();
  return skipped
    .filter((skip) => {
      const key = `${skip.line}\u0000${skip.reason}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .sort((a, b) => a.line - b.line);
}
