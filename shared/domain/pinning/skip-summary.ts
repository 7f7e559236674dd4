import type { SkipKind } from './rewrite-types';

/** What each skip kind is called in summaries, cards and logs. */
const skipKindLabels: Readonly<Record<SkipKind, string>> = {
  'already-pinned': 'already pinned',
  'other-tag': 'other tag',
  'no-tag': 'no tag',
  'other-registry': 'other registry',
  'other-repository': 'other repository',
  templated: 'templated',
  'invalid-yaml': 'not valid YAML',
  'multi-line': 'multi-line value',
  comment: 'in a comment',
  'not-an-image-field': 'not an image field',
  'not-a-reference': 'not a reference',
  'shared-anchor': 'shared anchor',
  'invalid-marker': 'invalid marker',
  'cannot-edit': 'cannot edit',
};

/**
 * One line saying how many mentions were skipped and why, most frequent reason first:
 * `3 mentions skipped: 2 other tag, 1 templated`; `''` when none was. A kind this version does not know
 * (or a skip without one, from an older message) counts as `other`; without any known kind only the
 * number is given.
 */
export function summarizeSkips(skipped: readonly { kind?: string | undefined }[]): string {
  if (skipped.length === 0) return '';
  const counts = new Map<string, number>();
  let known = 0;
  for (const { kind } of skipped) {
    const label =
      kind !== undefined && Object.hasOwn(skipKindLabels, kind) ? skipKindLabels[kind as SkipKind] : 'other';
    if (label !== 'other') known++;
    counts.set(label, (counts.get(label) ?? 0) + 1);
  }
  const head = `${skipped.length} mention${skipped.length === 1 ? '' : 's'} skipped`;
  if (known === 0) return head;
  const parts = [...counts]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([label, n]) => `${n} ${label}`);
  return `${head}: ${parts.join(', ')}`;
}
