import { createHash } from 'node:crypto';
import type { TableClient } from '@azure/data-tables';
import type { UpstreamError } from '../../domain/errors';
import type { StateStore, StoredState } from '../../domain/ports';
import { statusOf, storageUpstream } from '../storage-errors';
import { createOnFirstUse } from './create-on-first-use';

interface StateEntity {
  partitionKey: string;
  rowKey: string;
  /** The caller's key, clipped: only there so a person browsing the table can tell rows apart. */
  key: string;
  /** The document as JSON (a string property holds 32 K UTF-16 characters). */
  value: string;
}

/**
 * Small JSON documents in Azure Table Storage with optimistic concurrency: partition = scope, row =
 * SHA-256 of the key (keys hold repository names with `/`, which row keys may not), every write and
 * delete If-Match the ETag the caller read. The table is created on first use.
 */
export function createTableStateStore(table: TableClient): StateStore {
  const withTable = createOnFirstUse(table);

  return {
    async get<T>(scope: string, key: string): Promise<StoredState<T> | undefined> {
      let entity: StateEntity & { etag: string };
      try {
        entity = await table.getEntity<StateEntity>(partitionOf(scope), rowKeyOf(key));
      } catch (error) {
        // A missing row and a table not created yet both mean "no state".
        if (statusOf(error) === 404) return undefined;
        throw upstream('read', scope, error);
      }
      let value: T;
      try {
        value = JSON.parse(entity.value) as T;
      } catch {
        // Readers validate what they get; an unreadable row is replaced by the next write.
        value = undefined as T;
      }
      return { value, etag: entity.etag };
    },

    async put<T>(
      scope: string,
      key: string,
      value: T,
      etag?: string,
    ): Promise<{ etag: string } | 'conflict'> {
      const entity: StateEntity = {
        partitionKey: partitionOf(scope),
        rowKey: rowKeyOf(key),
        key: key.slice(0, 512),
        value: JSON.stringify(value),
      };
      try {
        const written =
          etag === undefined
            ? await withTable(() => table.createEntity(entity))
            : await table.updateEntity(entity, 'Replace', { etag });
        return { etag: written.etag ?? '' };
      } catch (error) {
        const status = statusOf(error);
        // 409: created meanwhile; 412: changed since read; 404 on replace: deleted since read.
        if (status === 409 || status === 412 || (status === 404 && etag !== undefined)) return 'conflict';
        throw upstream('write', scope, error);
      }
    },

    async delete(scope, key, etag) {
      try {
        await table.deleteEntity(partitionOf(scope), rowKeyOf(key), { etag });
        return 'ok';
      } catch (error) {
        const status = statusOf(error);
        if (status === 404) return 'ok';
        if (status === 412) return 'conflict';
        throw upstream('delete', scope, error);
      }
    },
  };
}

/** Row keys may not hold `/ \ # ?` or control characters; a hex digest never does. */
function rowKeyOf(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Scopes are short names chosen in code; checked anyway so a bad one fails here, not as a 400. */
function partitionOf(scope: string): string {
  if (!/^[\w.-]{1,128}$/.test(scope)) throw new Error(`state scope "${scope}" is not a valid partition key`);
  return scope;
}

function upstream(operation: string, scope: string, error: unknown): UpstreamError {
  return storageUpstream(`state ${operation} (${scope})`, error, 'table');
}
