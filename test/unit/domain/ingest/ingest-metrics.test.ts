import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../../shared/config/load-config';
import { InvalidEventError } from '../../../../shared/domain/errors';
import type { ParseOutcome } from '../../../../shared/domain/events/parse-outcome';
import { ingestDelivery } from '../../../../shared/domain/ingest/ingest-delivery';
import type { IngestDeps } from '../../../../shared/domain/ingest/ingest-event';
import { ingestOutcome } from '../../../../shared/domain/ingest/ingest-outcome';
import { memoryDedupe, memoryQueue } from '../../../helpers/fakes';
import { fieldsLogger, recordingMetrics } from '../../../helpers/recording-metrics';
import { sampleEvent } from '../../../helpers/sample-event';

const config = parseConfig(`
gitops: { fleet: { url: https://github.com/contoso/fleet.git } }
rules:
  - match: { repository: 'payments/*' }
    pin: { repo: fleet }
`);

function deps() {
  const metrics = recordingMetrics();
  const log = fieldsLogger();
  const ingest: IngestDeps = {
    config,
    queue: memoryQueue(),
    dedupe: memoryDedupe(),
    log,
    metrics,
    clock: () => new Date('2026-11-25T10:00:00.000Z'),
  };
  return { ingest, metrics, log };
}

/** Dedupe keys are 32 hex digits; one per repository here. */
const keyOf = (repository: string) => createHash('md5').update(repository).digest('hex');

const accepted = (id: string, repository = 'payments/api'): ParseOutcome => ({
  kind: 'accepted',
  event: sampleEvent({ id, repository, dedupeKey: keyOf(repository) }),
});

describe('ingress: counters and decision lines', () => {
  it('counts accepted, duplicate, ignored and invalid events by source', async () => {
    const { ingest, metrics } = deps();
    await ingestOutcome(ingest, accepted('e1'), 'ACR webhook');
    await ingestOutcome(ingest, accepted('e1'), 'ACR webhook');
    await ingestOutcome(ingest, { kind: 'ignored', reason: 'ping', eventId: 'p1' }, 'ACR webhook');
    await expect(
      ingestOutcome(ingest, { kind: 'invalid', issues: [{ path: 'target', message: 'x' }] }, 'ACR webhook'),
    ).rejects.toThrow(InvalidEventError);
    const answer = await ingestDelivery(ingest, [
      accepted('e2', 'payments/web'),
      { kind: 'invalid', issues: [{ path: 'data', message: 'missing' }] },
    ]);
    expect(answer).toMatchObject({ kind: 'processed', accepted: 1 });
    expect(metrics.counts).toEqual({
      'event accepted ACR webhook': 1,
      'event duplicate ACR webhook': 1,
      'event ignored ACR webhook': 1,
      'event invalid ACR webhook': 1,
      'event accepted Event Grid': 1,
      'event invalid Event Grid': 1,
    });
  });

  it('writes each ingress decision with the event id as correlationId and its dedupe key', async () => {
    const { ingest, log } = deps();
    const event = sampleEvent({ id: 'e9' });
    await ingestOutcome(ingest, { kind: 'accepted', event }, 'ACR webhook');
    await ingestOutcome(ingest, { kind: 'accepted', event }, 'ACR webhook');
    const unmatched = sampleEvent({ repository: 'x/y', dedupeKey: keyOf('x/y') });
    await ingestOutcome(ingest, { kind: 'accepted', event: unmatched }, 'Event Grid');
    await ingestOutcome(ingest, { kind: 'ignored', reason: 'ping', eventId: 'p1' }, 'ACR webhook');
    const decisions = log.lines.filter((line) => line.level === 'info');
    expect(decisions.map((line) => [line.message.split(' ')[0], line.fields])).toEqual([
      ['queued', { correlationId: 'e9', dedupeKey: event.dedupeKey }],
      ['duplicate', { correlationId: 'e9', dedupeKey: event.dedupeKey }],
      ['accepted', { correlationId: 'e1', dedupeKey: keyOf('x/y') }],
      ['ignored', { correlationId: 'p1' }],
    ]);
    // Rules are named the way the config and `trace` name them, not by bare index.
    expect(decisions[0]?.message).toMatch(/ from rules\[0\]$/);
  });

  it('names a matched rule by its name when it has one', async () => {
    const { ingest, log } = deps();
    ingest.config = parseConfig(`
gitops: { fleet: { url: https://github.com/contoso/fleet.git } }
rules:
  - name: payments releases
    match: { repository: 'payments/*' }
    pin: { repo: fleet }
`);
    await ingestOutcome(ingest, accepted('e3'), 'ACR webhook');
    expect(log.lines.find((line) => line.level === 'info')?.message).toMatch(
      / from rule "payments releases"$/,
    );
  });
});
