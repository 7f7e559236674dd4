import { documentCandidates } from './document-candidates';
import { evaluateCandidate, type Proposal } from './evaluate-candidate';
import type { PinTarget } from './pin-target';
import type { RewriteChange, RewriteSkip } from './rewrite-types';
import { LineIndex, parseYaml } from './yaml-source';
import { rejectConflicts, rejectSharedAnchors, type Planned } from './shared-values';
import { spliceAndVerify } from './splice-and-verify';

/** What happened to one file: its new content when it changed. */
export interface FileOutcome {
  content?: string;
  changes: RewriteChange[];
  skipped: RewriteSkip[];
}

/** Rewrites one file: find candidates, decide, check shared (anchored) values, splice, verify. */
export function rewriteFile(file: string, src: string, target: PinTarget): FileOutcome {
  // Screening like Flux's `"$imagepolicy"` check: a file that never spells the repository cannot refer
  // to it, and most files in a GitOps repo do not, so most files are never parsed.
  if (target.registry === '' || target.tag === undefined || !src.includes(target.screen)) {
    return { changes: [], skipped: [] };
  }
  let lines: LineIndex | undefined;
  const lineOf = (offset: number): number => (lines ??= new LineIndex(src)).lineOf(offset);

  const parsed = parseYaml(src);
  if (!parsed.ok) {
    return { changes: [], skipped: [{ file, line: lineOf(parsed.offset), reason: parsed.reason }] };
  }

  const skipped: RewriteSkip[] = [];
  const planned: Planned[] = [];
  const { documents, markerProblems } = documentCandidates(parsed.docs, src, file);
  for (const problem of markerProblems) {
    skipped.push({ file, line: lineOf(problem.offset), reason: problem.reason });
  }

  for (const { anchors, candidates } of documents) {
    for (const candidate of candidates) {
      const proposal: Proposal | undefined = evaluateCandidate(candidate, src, target);
      if (proposal === undefined) continue;
      const offset = proposal.at;
      if ('skip' in proposal) skipped.push({ file, line: lineOf(offset), reason: proposal.skip });
      else if (proposal.edits.length > 0) planned.push({ edits: proposal.edits, offset, anchors });
    }
  }

  rejectConflicts(planned);
  rejectSharedAnchors(planned, lineOf);
  const accepted = planned.filter((plan) => plan.rejected === undefined);
  for (const plan of planned) {
    if (plan.rejected !== undefined) skipped.push({ file, line: lineOf(plan.offset), reason: plan.rejected });
  }
  if (accepted.length === 0) return { changes: [], skipped: dedupeSkips(skipped) };

  const spliced = spliceAndVerify(
    file,
    src,
    parsed.docs.length,
    accepted.flatMap((plan) => plan.edits.map((edit) => edit.splice)),
  );
  if ('problem' in spliced) {
    for (const plan of accepted) skipped.push({ file, line: lineOf(plan.offset), reason: spliced.problem });
    return { changes: [], skipped: dedupeSkips(skipped) };
  }
  return { content: spliced.content, changes: spliced.changes, skipped: dedupeSkips(skipped) };
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
