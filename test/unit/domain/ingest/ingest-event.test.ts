import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../../shared/config/load-config';
import { DomainError, UpstreamError } from '../../../../shared/domain/errors';
import { ingestEvent, type IngestDeps } from '../../../../shared/domain/ingest/ingest-event';
import { captureLogger, memoryDedupe, memoryQueue } from '../../../helpers/fakes';
import { sampleEvent } from '../../../helpers/sample-event';

const config = parseConfig(`
gitops: { fleet: { url: https://github.com/contoso/fleet.git } }
teams: { platform: { urlFrom: TEAMS } }
rules:
  - match: { repository: 'payments/*' }
    pin: { repo: fleet }
    notify: [platform]
`);

const event = sampleEvent();

function deps(overrides: Partial<IngestDeps> = {}) {
  const queue = memoryQueue();
  const dedupe = memoryDedupe();
  const log = captureLogger();
  let now = new Date('2026-11-25T10:00:00.000Z');
  return {
    queue,
    dedupe,
    log,
    advance: (ms: number) => (now = new Date(now.getTime() + ms)),
    deps: { config, queue, dedupe, log, clock: () => now, ...overrides } satisfies IngestDeps,
  };
}

describe('ingestEvent', () => {
  it('accepts an event with one write to image-events carrying every planned action', async () => {
    const { deps: d, queue } = deps();
    expect(await ingestEvent(d, event)).toEqual({ dedupeKey: event.dedupeKey, actions: 2, duplicate: false });
    expect(queue.sent).toEqual([
      {
        queue: 'image-events',
        message: {
          type: 'accepted-event',
          dedupeKey: event.dedupeKey,
          correlationId: 'e1',
          event,
          actions: [expect.objectContaining({ type: 'pin' }), expect.objectContaining({ type: 'notify' })],
        },
      },
    ]);
  });

  it('answers a redelivery inside the window as a duplicate and queues nothing more', async () => {
    const t = deps();
    await ingestEvent(t.deps, event);
    for (let i = 0; i < 9; i++) {
      expect(await ingestEvent(t.deps, event)).toMatchObject({ actions: 0, duplicate: true });
    }
    expect(t.queue.sent).toHaveLength(1);
  });

  it('processes the same change again once the window has passed', async () => {
    const t = deps();
    await ingestEvent(t.deps, event);
    t.advance(config.ingress.dedupeWindow + 1);
    expect(await ingestEvent(t.deps, event)).toMatchObject({ actions: 2, duplicate: false });
  });

  it('releases the claim when an enqueue fails, so the retry is processed (not "duplicate")', async () => {
    const failing = deps({ queue: memoryQueue({ failOn: 'image-events' }) });
    await expect(ingestEvent(failing.deps, event)).rejects.toBeInstanceOf(UpstreamError);
    expect(failing.dedupe.records.size).toBe(0);
    const retry = await ingestEvent({ ...failing.deps, queue: failing.queue }, event);
    expect(retry).toMatchObject({ actions: 2, duplicate: false });
  });

  it('asks the sender to retry while another delivery of the same event is in flight', async () => {
    const t = deps();
    await t.dedupe.claim('ingress', event.dedupeKey, { now: new Date(), windowMs: 1000 });
    const error = await ingestEvent(t.deps, event).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code: 'in-flight', retryable: true });
    expect(t.queue.sent).toHaveLength(0);
  });

  it('still succeeds when marking the key done fails after the messages are queued', async () => {
    const t = deps({ dedupe: memoryDedupe({ failComplete: true }) });
    expect(await ingestEvent(t.deps, event)).toMatchObject({ actions: 2 });
    expect(t.log.all()).toContain('could not mark');
  });

  it('touches no storage when no rule matches, and says so in one info line with the ids', async () => {
    const t = deps();
    const result = await ingestEvent(t.deps, { ...event, repository: 'web/site' });
    expect(result).toEqual({ dedupeKey: event.dedupeKey, actions: 0, duplicate: false });
    expect(t.dedupe.records.size).toBe(0);
    expect(t.log.lines).toEqual([
      {
        level: 'info',
        message: `accepted push contoso.azurecr.io/web/site:1.4.2@${event.digest.slice(0, 19)} (event ${event.id}, dedupe ${event.dedupeKey}): no rule matched, nothing queued`,
      },
    ]);
  });

  it('names the event id and dedupe key in the queued line', async () => {
    const t = deps();
    await ingestEvent(t.deps, event);
    expect(t.log.lines.at(-1)?.message).toContain(`(event ${event.id}, dedupe ${event.dedupeKey})`);
  });
});
