import { TableClient } from '@azure/data-tables';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTableClient } from '../../../shared/adapters/storage-clients';
import { createTableStateStore } from '../../../shared/adapters/table/table-state-store';
import { UpstreamError } from '../../../shared/domain/errors';
import type { StateStore } from '../../../shared/domain/ports';
import type { AzuriteHandle } from '../../../shared/local-host/azurite';
import { startTestAzurite } from '../../helpers/azurite';

let azurite: AzuriteHandle;
let store: StateStore;
const tableFor = (name: string) =>
  createTableClient({ kind: 'connection-string', connectionString: azurite.connectionString }, name);

beforeAll(async () => {
  azurite = await startTestAzurite();
  // A table that does not exist yet: the first write creates it.
  store = createTableStateStore(tableFor('statetest'));
});
afterAll(() => azurite?.stop());

describe('createTableStateStore (Azurite)', () => {
  it('reads nothing before the table exists, then creates the table on the first write', async () => {
    expect(await store.get('burst', 'first')).toBeUndefined();
    const written = await store.put('burst', 'first', { n: 1 });
    expect(written).toEqual({ etag: (await store.get('burst', 'first'))?.etag });
    expect(await store.get('burst', 'first')).toEqual({ value: { n: 1 }, etag: expect.any(String) });
  });

  it('keeps keys with characters row keys may not hold (/ \\ # ? newline) apart', async () => {
    const keys = ['platform\ncontoso.azurecr.io\npayments/api', 'a\\b', 'a#b', 'a?b', 'x'.repeat(2000)];
    for (const [index, key] of keys.entries())
      expect(await store.put('burst', key, { index })).toEqual({ etag: expect.any(String) });
    for (const [index, key] of keys.entries())
      expect((await store.get('burst', key))?.value).toEqual({ index });
    const rowKeys: string[] = [];
    for await (const entity of tableFor('statetest').listEntities()) rowKeys.push(entity.rowKey ?? '');
    expect(rowKeys.length).toBeGreaterThanOrEqual(keys.length);
    for (const rowKey of rowKeys) expect(rowKey).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses to create a row that exists', async () => {
    await store.put('burst', 'create-once', { v: 1 });
    expect(await store.put('burst', 'create-once', { v: 2 })).toBe('conflict');
    expect((await store.get('burst', 'create-once'))?.value).toEqual({ v: 1 });
  });

  it('replaces If-Match the ETag read and answers conflict for a stale ETag', async () => {
    await store.put('burst', 'etag', { v: 1 });
    const first = await store.get<{ v: number }>('burst', 'etag');
    expect(await store.put('burst', 'etag', { v: 2 }, first?.etag)).toEqual({ etag: expect.any(String) });
    const second = await store.get<{ v: number }>('burst', 'etag');
    expect(second?.etag).not.toBe(first?.etag);
    expect(await store.put('burst', 'etag', { v: 3 }, first?.etag)).toBe('conflict');
    expect(await store.delete('burst', 'etag', first?.etag ?? '')).toBe('conflict');
    expect((await store.get('burst', 'etag'))?.value).toEqual({ v: 2 });
    expect(await store.delete('burst', 'etag', second?.etag ?? '')).toBe('ok');
    expect(await store.get('burst', 'etag')).toBeUndefined();
  });

  it('answers conflict when replacing a row deleted meanwhile, and ok when deleting one already gone', async () => {
    await store.put('burst', 'gone', { v: 1 });
    const read = await store.get('burst', 'gone');
    expect(await store.delete('burst', 'gone', read?.etag ?? '')).toBe('ok');
    expect(await store.put('burst', 'gone', { v: 2 }, read?.etag)).toBe('conflict');
    expect(await store.delete('burst', 'gone', read?.etag ?? '')).toBe('ok');
  });

  it('lets exactly one of many concurrent read-modify-writes win each round', async () => {
    await store.put('burst', 'counter', { n: 0 });
    const increment = async () => {
      for (;;) {
        const current = await store.get<{ n: number }>('burst', 'counter');
        if (
          (await store.put('burst', 'counter', { n: (current?.value.n ?? 0) + 1 }, current?.etag)) !==
          'conflict'
        )
          return;
      }
    };
    await Promise.all(Array.from({ length: 10 }, increment));
    expect((await store.get('burst', 'counter'))?.value).toEqual({ n: 10 });
  });

  it('lets one of many concurrent first writes create a missing table and the row', async () => {
    const fresh = createTableStateStore(tableFor('stateraced'));
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => fresh.put('burst', 'k', { i })));
    expect(results.filter((r) => r !== 'conflict')).toHaveLength(1);
    expect(results.filter((r) => r === 'conflict')).toHaveLength(7);
  });

  it('stores a 30 KB document (the burst state budget)', async () => {
    const big = { text: 'é'.repeat(15 * 1024) };
    expect(await store.put('burst', 'big', big)).toEqual({ etag: expect.any(String) });
    expect((await store.get('burst', 'big'))?.value).toEqual(big);
  });

  it('keeps scopes apart', async () => {
    await store.put('one', 'same', 1);
    await store.put('two', 'same', 2);
    expect((await store.get('one', 'same'))?.value).toBe(1);
    expect((await store.get('two', 'same'))?.value).toBe(2);
  });

  it('fails with a retryable UpstreamError when storage cannot be reached', async () => {
    const unreachable = createTableStateStore(
      new TableClient('http://127.0.0.1:1/devstoreaccount1', 'nowhere', {
        allowInsecureConnection: true,
        retryOptions: { maxRetries: 0 },
      }),
    );
    const error = await unreachable.put('burst', 'k', 1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamError);
    expect((error as UpstreamError).retryable).toBe(true);
    expect((error as Error).message).toMatch(/^state write \(burst\) failed/);
  });
});
