import type { StateStore } from '../../shared/domain/ports';

/**
 * The Table state store's contract in memory: values stored as JSON (so callers get copies), a new
 * ETag on every write, create-only without an ETag, If-Match otherwise. `beforeWrite` runs before each
 * put or delete, so a test can change the row in between, the way a parallel invocation would.
 */
export interface MemoryStateStore extends StateStore {
  rows: Map<string, { json: string; etag: string }>;
  /** The stored value, parsed; undefined when there is no row. */
  value(scope: string, key: string): unknown;
  beforeWrite:
    ((operation: 'put' | 'delete', scope: string, key: string) => Promise<void> | void) | undefined;
  /** Makes the next call of this operation throw, like a storage outage. */
  failNext: 'get' | 'put' | 'delete' | undefined;
}

export function memoryStateStore(): MemoryStateStore {
  const rows = new Map<string, { json: string; etag: string }>();
  let version = 0;
  const id = (scope: string, key: string) => `${scope}\u0000${key}`;
  const store = {
    rows,
    value: (scope: string, key: string): unknown => {
      const row = rows.get(id(scope, key));
      return row ? (JSON.parse(row.json) as unknown) : undefined;
    },
    beforeWrite: undefined as
      ((operation: 'put' | 'delete', scope: string, key: string) => Promise<void> | void) | undefined,
    failNext: undefined as 'get' | 'put' | 'delete' | undefined,
    failIf(operation: 'get' | 'put' | 'delete') {
      if (store.failNext !== operation) return;
      store.failNext = undefined;
      throw new Error(`state ${operation} failed: table is down`);
    },
    async get<T>(scope: string, key: string) {
      store.failIf('get');
      const row = rows.get(id(scope, key));
      return row ? { value: JSON.parse(row.json) as T, etag: row.etag } : undefined;
    },
    async put<T>(
      scope: string,
      key: string,
      value: T,
      etag?: string,
    ): Promise<{ etag: string } | 'conflict'> {
      await store.beforeWrite?.('put', scope, key);
      store.failIf('put');
      const row = rows.get(id(scope, key));
      if (etag === undefined ? row !== undefined : row?.etag !== etag) return 'conflict';
      const written = `W/"${++version}"`;
      rows.set(id(scope, key), { json: JSON.stringify(value), etag: written });
      return { etag: written };
    },
    async delete(scope: string, key: string, etag: string): Promise<'ok' | 'conflict'> {
      await store.beforeWrite?.('delete', scope, key);
      store.failIf('delete');
      const row = rows.get(id(scope, key));
      if (!row) return 'ok';
      if (row.etag !== etag) return 'conflict';
      rows.delete(id(scope, key));
      return 'ok';
    },
  };
  return store;
}
