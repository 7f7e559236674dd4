import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTableClient } from '../../../shared/adapters/storage-clients';
import { createTableDedupeStore } from '../../../shared/adapters/table/table-dedupe-store';
import { createTableTraceStore } from '../../../shared/adapters/table/table-trace-store';
import type { StorageSettings } from '../../../shared/config/app-settings';
import type { DedupeStore, TraceReader, TraceRecorder } from '../../../shared/domain/ports';
import { ingressRecord, type AttemptRecord } from '../../../shared/domain/trace/trace-records';
import type { AzuriteHandle } from '../../../shared/local-host/azurite';
import { startTestAzurite } from '../../helpers/azurite';
import { attemptOf, ingressFactsOf, tracedKey } from '../../helpers/trace-records';

let azurite: AzuriteHandle;
let storage: StorageSettings;
let dedupe: DedupeStore;
let trace: TraceRecorder & TraceReader;

const facts = ingressFactsOf({
  region: 'westeurope',
  rules: [
    { index: 0, name: 'payments', matched: true },
    { index: 1, matched: false, reason: 'repository "payments/api" does not match match.repository "web/*"' },
  ],
  notes: ['rule "payments": a note'],
  planned: [
    { action: 'pin', target: 'fleet' },
    { action: 'deploy', target: 'web', after: 'pin' },
  ],
});
const otherKey = 'ffffffffffffffffffffffffffffffff';

beforeAll(async () => {
  azurite = await startTestAzurite();
  storage = { kind: 'connection-string', connectionString: azurite.connectionString };
  // The same table for both, not created yet: trace records live with the dedupe records.
  const table = createTableClient(storage, 'tracetest');
  dedupe = createTableDedupeStore(table);
  trace = createTableTraceStore(table);
});
afterAll(() => azurite?.stop());

describe('createTableTraceStore (Azurite)', () => {
  it('reads nothing (and fails nothing) before the table exists', async () => {
    expect(await trace.read(tracedKey)).toEqual({ dedupeKey: tracedKey, received: [], attempts: [] });
    expect(await trace.find({ kind: 'digest', digest: facts.image.digest })).toEqual([]);
  });

  it('reads back the claim with its facts, every other delivery and every attempt', async () => {
    const now = new Date(facts.receivedAt);
    expect(
      await dedupe.claim('ingress', tracedKey, { now, windowMs: 60_000, record: ingressRecord(facts) }),
    ).toBe('claimed');
    await dedupe.complete('ingress', tracedKey, { now, actions: 2 });
    const duplicate = { ...facts, dedupeKey: tracedKey, result: 'duplicate' as const };
    await trace.received({
      ...duplicate,
      via: 'event-grid-trigger',
      region: 'northeurope',
      receivedAt: '2026-12-01T10:00:02.000Z',
    });
    await trace.received({ ...duplicate, receivedAt: '2026-12-01T10:00:01.000Z' });
    const attempts: AttemptRecord[] = [
      attemptOf({ action: 'pin', target: 'fleet', result: 'retrying', reason: 'HTTP 503', delayMs: 1000 }, 3),
      attemptOf(
        {
          action: 'pin',
          target: 'fleet',
          attempt: 2,
          result: 'done',
          summary: {
            kind: 'committed',
            text: 'committed 0a1b2c3d4e5f (1 file(s))',
            links: { commit: '0a1b2c3d4e5f67', commitUrl: 'https://git.example/c/0a1b' },
          },
        },
        5,
      ),
      attemptOf({ action: 'deploy', target: 'web', result: 'parked', reason: 'x'.repeat(5000) }, 7),
    ];
    await Promise.all(attempts.map((attempt) => trace.attempt(attempt)));

    const records = await trace.read(tracedKey);
    expect(records.claim).toEqual({
      state: 'done',
      claimedAt: facts.receivedAt,
      completedAt: facts.receivedAt,
      actions: 2,
      facts,
    });
    expect(records.received.map((row) => [row.receivedAt, row.via, row.region, row.result])).toEqual([
      ['2026-12-01T10:00:01.000Z', 'acr-webhook', 'westeurope', 'duplicate'],
      ['2026-12-01T10:00:02.000Z', 'event-grid-trigger', 'northeurope', 'duplicate'],
    ]);
    expect(records.received[0]).toMatchObject({
      rules: facts.rules,
      planned: facts.planned,
      image: facts.image,
    });
    expect(records.attempts.slice(0, 2)).toEqual(attempts.slice(0, 2));
    // A very long reason is cut to what a table property holds comfortably.
    expect(records.attempts[2]?.reason).toMatch(/^x{3999}…$/);
  });

  it('keeps the records of other pushes apart', async () => {
    await trace.attempt({ ...attemptOf({ action: 'pin', result: 'done' }), dedupeKey: otherKey });
    expect((await trace.read(otherKey)).attempts).toHaveLength(1);
    expect((await trace.read(tracedKey)).attempts).toHaveLength(3);
  });

  it('finds a push by digest, by repository:tag (with or without the registry) and by its key', async () => {
    // A delivery that planned nothing leaves only its own row: found the same way.
    await trace.received({
      ...ingressFactsOf({
        image: { ...facts.image, tag: '0.9.0', digest: 'sha256:' + 'e'.repeat(64) },
        receivedAt: '2026-12-01T11:00:00.000Z',
      }),
      dedupeKey: otherKey,
      result: 'nothing-planned',
    });
    const digest = facts.image.digest;
    expect(await trace.find({ kind: 'digest', digest })).toEqual([
      { dedupeKey: tracedKey, receivedAt: '2026-12-01T10:00:02.000Z' },
    ]);
    expect(await trace.find({ kind: 'digest', digest, repository: 'web/site' })).toEqual([]);
    expect(await trace.find({ kind: 'tag', repository: 'payments/api', tag: '1.4.2' })).toEqual([
      { dedupeKey: tracedKey, receivedAt: '2026-12-01T10:00:02.000Z' },
    ]);
    expect(
      await trace.find({
        kind: 'tag',
        registry: 'contoso.azurecr.io',
        repository: 'payments/api',
        tag: '0.9.0',
      }),
    ).toEqual([{ dedupeKey: otherKey, receivedAt: '2026-12-01T11:00:00.000Z' }]);
    expect(
      await trace.find({
        kind: 'tag',
        registry: 'other.azurecr.io',
        repository: 'payments/api',
        tag: '1.4.2',
      }),
    ).toEqual([]);
    expect(await trace.find({ kind: 'dedupe-key', dedupeKey: tracedKey })).toEqual([
      { dedupeKey: tracedKey, receivedAt: '' },
    ]);
  });

  it('files a message whose dedupe key cannot name a partition under its hash', async () => {
    const odd = 'run/2026#1?';
    await trace.attempt({ ...attemptOf({ action: 'notify', result: 'done' }), dedupeKey: odd });
    expect((await trace.read(odd)).attempts).toEqual([
      expect.objectContaining({ dedupeKey: odd, result: 'done' }),
    ]);
  });

  it('is pruned with the dedupe records', async () => {
    expect(await dedupe.prune(new Date(Date.now() + 60_000))).toBeGreaterThanOrEqual(9);
    expect(await trace.read(tracedKey)).toEqual({ dedupeKey: tracedKey, received: [], attempts: [] });
    expect(await trace.find({ kind: 'tag', repository: 'payments/api', tag: '0.9.0' })).toEqual([]);
  });
});
