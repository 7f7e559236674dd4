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

  describe('completions', () => {
    /** A store on its own table whose requests are counted (`PATCH` one row, `POST …/$batch` many). */
    const countedStore = (name: string) => {
      const client = createTableClient(
        { kind: 'connection-string', connectionString: azurite.connectionString },
        name,
      );
      const requests: string[] = [];
      client.pipeline.addPolicy({
        name: 'count',
        sendRequest: (request, next) => {
          requests.push(
            `${request.method} ${new URL(request.url).pathname.split('/').at(-1)?.split('(')[0]}`,
          );
          return next(request);
        },
      });
      return { store: createTableDedupeStore(client), requests };
    };

    it('writes completions asked for while one is being written in one transaction; each is a duplicate after', async () => {
      const { store: counted, requests } = countedStore('completiontx');
      const keys = Array.from({ length: 40 }, (_, n) => `burst-${n}`);
      await Promise.all(keys.map((key) => counted.claim('ingress', key, { now: t0, windowMs })));
      requests.length = 0;
      await Promise.all(keys.map((key) => counted.complete('ingress', key, { now: t0, actions: 3 })));
      // The first goes out alone; the 39 asked for meanwhile wait for it and go out together.
      expect(requests).toEqual(['PATCH completiontx', 'POST $batch']);
      const again = await Promise.all(
        keys.map((key) => counted.claim('ingress', key, { now: at(1000), windowMs })),
      );
      expect(again).toEqual(keys.map(() => 'duplicate'));
    });

    it('writes a completion at once, alone, when no other claim is held', async () => {
      const { store: counted, requests } = countedStore('completionalone');
      for (const key of ['one', 'two']) {
        await counted.claim('ingress', key, { now: t0, windowMs });
        await counted.complete('ingress', key, { now: t0, actions: 1 });
      }
      expect(requests.filter((request) => request.startsWith('PATCH') || request.endsWith('$batch'))).toEqual(
        ['PATCH completionalone', 'PATCH completionalone'],
      );
    });

    it('fails only the completion whose row is gone when completions share a transaction', async () => {
      const { store: counted, requests } = countedStore('completionfail');
      const keys = ['first', 'kept-1', 'kept-2', 'gone', 'kept-3'];
      await Promise.all(keys.map((key) => counted.claim('ingress', key, { now: t0, windowMs })));
      await counted.release('ingress', 'gone');
      requests.length = 0;
      const results = await Promise.allSettled(
        keys.map((key) => counted.complete('ingress', key, { now: t0, actions: 1 })),
      );
      expect(requests.slice(0, 2)).toEqual(['PATCH completionfail', 'POST $batch']);
      expect(results.map((result) => result.status)).toEqual([
        'fulfilled',
        'fulfilled',
        'fulfilled',
        'rejected',
        'fulfilled',
      ]);
      expect(results[3]).toMatchObject({ reason: { code: 'upstream', retryable: true } });
      for (const key of keys.filter((key) => key !== 'gone')) {
        expect(await counted.claim('ingress', key, { now: at(1000), windowMs })).toBe('duplicate');
      }
    });
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
