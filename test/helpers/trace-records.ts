import type { TraceReader, TraceRecorder } from '../../shared/domain/ports';
import type {
  AttemptRecord,
  IngressFacts,
  ReceivedRecord,
  TraceRecords,
} from '../../shared/domain/trace/trace-records';

export const tracedKey = '0123456789abcdef0123456789abcdef';

/** The ingress facts of a push of contoso.azurecr.io/payments/api:1.4.2 through the ACR webhook. */
export function ingressFactsOf(overrides: Partial<IngressFacts> = {}): IngressFacts {
  return {
    via: 'acr-webhook',
    eventId: 'e1',
    receivedAt: '2026-12-01T10:00:00.000Z',
    image: {
      registry: 'contoso.azurecr.io',
      repository: 'payments/api',
      tag: '1.4.2',
      digest: 'sha256:4f1a8c0e3b2d5f6a7c8e9d0b1a2c3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d',
      action: 'push',
      occurredAt: '2026-12-01T09:59:59.000Z',
    },
    rules: [{ index: 0, name: 'payments', matched: true }],
    notes: [],
    planned: [],
    ...overrides,
  };
}

/** One attempt record of the runner; `at` seconds after 10:00:00. */
export function attemptOf(
  overrides: Partial<AttemptRecord> & Pick<AttemptRecord, 'action' | 'result'>,
  seconds = 1,
): AttemptRecord {
  const subjects: Record<string, string> = {
    pin: 'pin of contoso.azurecr.io/payments/api:1.4.2@sha256:4f1a8c0e3b2d into gitops "fleet"',
    deploy: `deploy of contoso.azurecr.io/payments/api:1.4.2@sha256:4f1a8c0e3b2d to "${overrides.target ?? 'web'}"`,
    notify: `the pushed card for contoso.azurecr.io/payments/api:1.4.2 to Teams channel "platform"`,
    'fan-out': 'fan-out of push contoso.azurecr.io/payments/api:1.4.2@sha256:4f1a8c0e3b2d',
  };
  const queues: Record<string, string> = {
    pin: 'pin-requests',
    deploy: 'deploy-requests',
    notify: 'notifications',
    'fan-out': 'image-events',
  };
  return {
    dedupeKey: tracedKey,
    at: new Date(Date.parse('2026-12-01T10:00:00.000Z') + seconds * 1000).toISOString(),
    queue: queues[overrides.action] ?? overrides.action,
    subject: subjects[overrides.action] ?? overrides.action,
    attempt: 1,
    ...overrides,
  };
}

/** Records with the claim of `facts` (queued) and the given attempts. */
export function recordsOf(
  facts: IngressFacts | undefined,
  attempts: AttemptRecord[] = [],
  received: ReceivedRecord[] = [],
): TraceRecords {
  return {
    dedupeKey: tracedKey,
    ...(facts
      ? { claim: { state: 'done', claimedAt: facts.receivedAt, actions: facts.planned.length, facts } }
      : {}),
    received,
    attempts,
  };
}

/** The trace store in memory; `failing` makes every write throw (to check nothing else fails). */
export function memoryTrace(
  options: { failing?: boolean } = {},
): TraceRecorder & TraceReader & { receivedRows: ReceivedRecord[]; attemptRows: AttemptRecord[] } {
  const receivedRows: ReceivedRecord[] = [];
  const attemptRows: AttemptRecord[] = [];
  const fail = () => {
    if (options.failing) throw new Error('the table is down');
  };
  return {
    receivedRows,
    attemptRows,
    async received(record) {
      fail();
      receivedRows.push(record);
    },
    async attempt(record) {
      fail();
      attemptRows.push(record);
    },
    async find(lookup) {
      if (lookup.kind === 'dedupe-key') return [{ dedupeKey: lookup.dedupeKey, receivedAt: '' }];
      return receivedRows
        .filter((record) =>
          lookup.kind === 'digest'
            ? record.image.digest === lookup.digest
            : record.image.repository === lookup.repository && record.image.tag === lookup.tag,
        )
        .map((record) => ({ dedupeKey: record.dedupeKey, receivedAt: record.receivedAt }));
    },
    async read(dedupeKey) {
      return {
        dedupeKey,
        received: receivedRows.filter((record) => record.dedupeKey === dedupeKey),
        attempts: attemptRows.filter((record) => record.dedupeKey === dedupeKey),
      };
    },
  };
}
