import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTableClient } from '../../../shared/adapters/storage-clients';
import { createTableDedupeStore, staleClaimMs } from '../../../shared/adapters/table/table-dedupe-store';
import type { DedupeStore } from '../../../shared/domain/ports';
import type { AzuriteHandle } from '../../../shared/local-host/azurite';
import { startTestAzurite } from '../../helpers/azurite';

let azurite: AzuriteHandle;
let store: DedupeStore;
const windowMs = 60 * 60_000;
const t0 = new Date('2026-11-25T10:00:00.000Z');
const at = (ms: number) => new Date(t0.getTime() + ms);

beforeAll(async () => {
  azurite = await startTestAzurite();
  // A table that does not exist yet: the store creates it on first use.
  store = createTableDedupeStore(
    createTableClient(
      { kind: 'connection-string', connectionString: azurite.connectionString },
      'dedupetest',
    ),
  );
});
afterAll(() => azurite?.stop());

describe('createTableDedupeStore (Azurite)', () => {
  it('lets exactly one of many concurrent deliveries claim a key', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, () => store.claim('ingress', 'concurrent', { now: t0, windowMs })),
    );
    expect(results.filter((r) => r === 'claimed')).toHaveLength(1);
    expect(results.filter((r) => r === 'in-flight')).toHaveLength(19);
  });

  it('creates a missing table once when many first claims race for it', async () => {
    const fresh = createTableDedupeStore(
      createTableClient(
        { kind: 'connection-string', connectionString: azurite.connectionString },
        'racedtable',
      ),
    );
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, n) => fresh.claim('ingress', `key-${n}`, { now: t0, windowMs })),
    );
    expect(results).toEqual(Array.from({ length: 30 }, () => 'claimed'));
  });

  it('answers duplicate after completion, inside the window only', async () => {
    expect(await store.claim('ingress', 'window', { now: t0, windowMs })).toBe('claimed');
    await store.complete('ingress', 'window', { now: t0, actions: 3 });
    expect(await store.claim('ingress', 'window', { now: at(1000), windowMs })).toBe('duplicate');
    expect(await store.claim('ingress', 'window', { now: at(windowMs + 1), windowMs })).toBe('claimed');
  });

  it('gives a released key to the next delivery', async () => {
    expect(await store.claim('ingress', 'released', { now: t0, windowMs })).toBe('claimed');
    await store.release('ingress', 'released');
    expect(await store.claim('ingress', 'released', { now: t0, windowMs })).toBe('claimed');
    await store.release('ingress', 'never-claimed'); // no error for a missing key
  });

  it('lets a later delivery take over a claim whose owner died', async () => {
    expect(await store.claim('ingress', 'stale', { now: t0, windowMs })).toBe('claimed');
    expect(await store.claim('ingress', 'stale', { now: at(staleClaimMs - 1), windowMs })).toBe('in-flight');
    const takeovers = await Promise.all(
      Array.from({ length: 5 }, () =>
        store.claim('ingress', 'stale', { now: at(staleClaimMs + 1), windowMs }),
      ),
    );
    expect(takeovers.filter((r) => r === 'claimed')).toHaveLength(1);
  });

  it('keeps scopes apart', async () => {
    expect(await store.claim('pin', 'shared-key', { now: t0, windowMs })).toBe('claimed');
    expect(await store.claim('notify', 'shared-key', { now: t0, windowMs })).toBe('claimed');
  });

  it('prunes records written before a cutoff, across scopes, and keeps newer ones', async () => {
    const table = createTableDedupeStore(
      createTableClient(
        { kind: 'connection-string', connectionString: azurite.connectionString },
        'prunetest',
      ),
    );
    expect(await table.prune(new Date())).toBe(0); // the table does not exist yet
    await Promise.all(
      Array.from({ length: 130 }, (_, n) => table.claim(n % 2 ? 'a' : 'b', `k${n}`, { now: t0, windowMs })),
    );
    expect(await table.prune(new Date(Date.now() - 60_000))).toBe(0);
    expect(await table.prune(new Date(Date.now() + 60_000))).toBe(130);
    expect(await table.claim('a', 'k1', { now: t0, windowMs })).toBe('claimed');
  });

  it('reports an unreachable table as a retryable upstream error', async () => {
    const dead = createTableDedupeStore(
      createTableClient(
        {
          kind: 'connection-string',
          connectionString: azurite.connectionString.replace(
            /TableEndpoint=[^;]+/,
            'TableEndpoint=http://127.0.0.1:1/devstoreaccount1',
          ),
        },
        'dedupetest',
      ),
    );
    await expect(dead.claim('ingress', 'x', { now: t0, windowMs })).rejects.toMatchObject({
      code: 'upstream',
      retryable: true,
    });
  });
});
