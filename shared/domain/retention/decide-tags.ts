import { formatDuration } from '../config/duration';
import type { RepositoryRules } from './repository-rules';
import type { TagNode } from './repository-graph';

/**
 * A tag's own decision, before the manifests are decided. In order: locked, pinned, then the keep
 * clauses (a pattern, newest N, unknown age, younger than); a tag no clause keeps is deleted. Tags of
 * the referrers schema are left undecided: they follow their subject. `tags` must be sorted newest
 * first (see `newestFirst`); `newest` counts the tags with a known age that are not referrers tags.
 */
export function decideTags(
  tags: readonly TagNode[],
  rules: RepositoryRules | undefined,
  protectedDigests: ReadonlyMap<string, string>,
  now: number,
): void {
  const ranked = tags.filter((tag) => tag.time !== undefined && !tag.referrerOf).length;
  const deleteReason = rules ? reasonToDelete(rules, ranked) : '';
  let rank = 0;
  for (const tag of tags) {
    const ranks = tag.time !== undefined && !tag.referrerOf;
    if (ranks) rank += 1;
    if (tag.locked) keep(tag, 'locked');
    else if (!rules) keep(tag, 'no policy matches');
    else if (rules.protectPinned && protectedDigests.has(tag.digest))
      keep(tag, `pinned in ${protectedDigests.get(tag.digest)}`);
    else if (tag.referrerOf) continue;
    else decideByClauses(tag, rules, ranks ? rank : undefined, ranked, now, deleteReason);
  }
}

function decideByClauses(
  tag: TagNode,
  rules: RepositoryRules,
  rank: number | undefined,
  ranked: number,
  now: number,
  deleteReason: string,
): void {
  const pattern = rules.hasTagPatterns ? rules.keptBy(tag.name) : undefined;
  if (pattern !== undefined) return keep(tag, `matches ${pattern}`);
  if (rules.newest !== undefined && rank !== undefined && rank <= rules.newest)
    return keep(tag, `newest ${rank} of ${ranked}`);
  if (tag.time === undefined) return keep(tag, 'unknown age');
  if (rules.youngerThan !== undefined && now - tag.time < rules.youngerThan)
    return keep(tag, `younger than ${formatDuration(rules.youngerThan)}`);
  tag.decision = 'delete';
  tag.reason = deleteReason;
}

/** Why a tag no clause keeps goes; one string per repository (the same for all such tags). */
function reasonToDelete(rules: RepositoryRules, ranked: number): string {
  const why: string[] = [];
  if (rules.youngerThan !== undefined) why.push(`older than ${formatDuration(rules.youngerThan)}`);
  if (rules.newest !== undefined) why.push(`not in newest ${rules.newest} of ${ranked}`);
  if (rules.hasTagPatterns) why.push('matches no kept tag');
  return why.length > 0 ? why.join(', ') : 'the policy keeps no tag';
}

function keep(tag: TagNode, reason: string): void {
  tag.decision = 'keep';
  tag.reason = reason;
}

/** Unknown age first (it counts as young), then by last update, newest first; ties by name. */
export function newestFirst(a: { time: number | undefined; name: string }, b: typeof a): number {
  if (a.time !== b.time) {
    if (a.time === undefined) return -1;
    if (b.time === undefined) return 1;
    return b.time - a.time;
  }
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}
