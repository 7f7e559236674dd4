import { describe, expect, it } from 'vitest';
import {
  notificationPayloadSchema,
  type PinRequest,
} from '../../../../shared/domain/messages/action-messages';
import { pinnedNotifications } from '../../../../shared/domain/pinning/pin-notifications';
import type { RewriteSkip, SkipKind } from '../../../../shared/domain/pinning/rewrite-types';
import { summarizeSkips } from '../../../../shared/domain/pinning/skip-summary';
import { sampleEvent } from '../../../helpers/sample-event';

const skip = (kind: SkipKind, file = 'a.yaml'): RewriteSkip => ({ file, line: 1, reason: kind, kind });

describe('summarizeSkips', () => {
  it('counts skips by kind, most frequent first, ties by label', () => {
    expect(summarizeSkips([skip('templated'), skip('other-tag'), skip('other-tag')])).toBe(
      '3 mentions skipped: 2 other tag, 1 templated',
    );
    expect(summarizeSkips([skip('comment'), skip('already-pinned')])).toBe(
      '2 mentions skipped: 1 already pinned, 1 in a comment',
    );
    expect(summarizeSkips([skip('no-tag')])).toBe('1 mention skipped: 1 no tag');
    expect(summarizeSkips([])).toBe('');
  });

  it('counts kinds it does not know as other, and gives only the number without any known kind', () => {
    expect(summarizeSkips([skip('other-tag'), { kind: 'from-the-future' }, { kind: 'toString' }])).toBe(
      '3 mentions skipped: 2 other, 1 other tag',
    );
    expect(summarizeSkips([{}, { kind: undefined }])).toBe('2 mentions skipped');
  });
});

describe('pinnedNotifications', () => {
  const request: PinRequest = {
    type: 'pin',
    dedupeKey: 'd1',
    correlationId: 'evt-1',
    event: sampleEvent({ id: 'evt-1' }),
    rule: { index: 0, name: 'payments' },
    notify: [{ channel: 'platform', kinds: ['pinned'] }],
    repo: 'fleet',
    paths: ['**'],
    mode: 'pin',
    render: 'tag-and-digest',
  };

  it('sends each skip with its kind, and a summary over all of them when the list is cut to fit', () => {
    const skipped = Array.from({ length: 3000 }, (_, i) =>
      skip(i % 3 === 0 ? 'templated' : 'other-tag', `clusters/cluster-${i}/apps/payments/values.yaml`),
    );
    const [note] = pinnedNotifications(request, { result: 'no-change', changes: [], skipped });
    const payload = notificationPayloadSchema.parse(note?.payload);
    if (payload.kind !== 'pinned') throw new Error('expected a pinned payload');
    expect(payload.skipped.length).toBeLessThan(3000);
    expect(payload.skipped[0]).toEqual({
      file: 'clusters/cluster-0/apps/payments/values.yaml',
      line: 1,
      reason: 'templated',
      kind: 'templated',
    });
    expect(payload.skipSummary).toBe('3000 mentions skipped: 2000 other tag, 1000 templated');
  });

  it('sends no summary when nothing was skipped', () => {
    const [note] = pinnedNotifications(request, { result: 'no-change', changes: [], skipped: [] });
    expect(note?.payload).not.toHaveProperty('skipSummary');
  });
});
