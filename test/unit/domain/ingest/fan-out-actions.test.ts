import { describe, expect, it } from 'vitest';
import { UpstreamError } from '../../../../shared/domain/errors';
import { fanOutActions } from '../../../../shared/domain/ingest/fan-out-actions';
import type { AcceptedEvent } from '../../../../shared/domain/messages/action-messages';
import { captureLogger, memoryQueue } from '../../../helpers/fakes';
import { sampleEvent } from '../../../helpers/sample-event';

const event = sampleEvent({ source: 'event-grid' });
const envelope = { dedupeKey: event.dedupeKey, correlationId: 'e1' };
const route = [{ channel: 'platform', kinds: ['pinned' as const] }];
const accepted: AcceptedEvent = {
  type: 'accepted-event',
  ...envelope,
  event,
  actions: [
    {
      type: 'pin',
      ...envelope,
      event,
      rule: { index: 0 },
      notify: route,
      repo: 'fleet',
      paths: ['**'],
      mode: 'pin',
      render: 'tag-and-digest',
    },
    { type: 'deploy', ...envelope, event, rule: { index: 0 }, notify: route, target: 'prod' },
    { type: 'notify', ...envelope, channel: 'platform', payload: { kind: 'pushed', event } },
  ],
};

describe('fanOutActions', () => {
  it('puts each action on the queue of its type', async () => {
    const queue = memoryQueue();
    await fanOutActions({ queue, log: captureLogger() }, accepted);
    expect(queue.sent.map((s) => [s.queue, (s.message as { type: string }).type])).toEqual([
      ['pin-requests', 'pin'],
      ['deploy-requests', 'deploy'],
      ['notifications', 'notify'],
    ]);
  });

  it('fails (so the queue retries the event) when any action cannot be queued, after trying all', async () => {
    const queue = memoryQueue({ failOn: 'deploy-requests' });
    const error = await fanOutActions({ queue, log: captureLogger() }, accepted).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamError);
    expect((error as Error).message).toMatch(/1 of 3 action message\(s\)/);
    expect(queue.sent.map((s) => s.queue)).toEqual(['pin-requests', 'notifications']);
  });
});
