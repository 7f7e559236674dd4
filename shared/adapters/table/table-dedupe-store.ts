import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';
import type { UpstreamError } from '../../domain/errors';
import type { ClaimResult, DedupeStore } from '../../domain/ports';
import { statusOf, storageUpstream } from '../storage-errors';
import { createOnFirstUse } from './create-on-first-use';
import { createMergeBatcher } from './merge-batcher';

interface DedupeEntity {
  partitionKey: string;
  rowKey: string;
  state: 'pending' | 'done';
  claimedAt: string;
  completedAt?: string;
  actions?: number;
}

/** A pending claim older than this belongs to a delivery that died; the next one may take it over. */
export const staleClaimMs = 60_000;

/**
 * Dedupe records in Azure Table Storage: partition = scope (`ingress`, later one per action), row =
 * dedupe key. Insert is the atomic claim (409 when the row exists); updates carry the ETag so two
 * deliveries cannot both take over a stale or expired record.
 */
export function createTableDedupeStore(table: TableClient): DedupeStore {
  const withTable = createOnFirstUse(table);
  // Completions of concurrent deliveries share one transaction: an ingress burst costs about one
  // write per batch instead of one per event (each caller still waits for its own row).
  const merge = createMergeBatcher(table);

  return {
    async claim(scope, key, { now, windowMs, record }): Promise<ClaimResult> {
      const entity: DedupeEntity = {
        ...record,
        partitionKey: scope,
        rowKey: key,
        state: 'pending',
        claimedAt: now.toISOString(),
      };
      try {
        await withTable(() => table.createEntity(entity));
        return 'claimed';
      } catch (error) {
        if (statusOf(error) !== 409) throw upstream('claim', error);
      }
      try {
        const existing = await table.getEntity<DedupeEntity>(scope, key);
        const decision = decide(existing, now, windowMs);
        if (decision !== 'take-over') return decision;
        await table.updateEntity(entity, 'Replace', { etag: existing.etag });
        return 'claimed';
      } catch (error) {
        const status = statusOf(error);
        if (status === 412) return 'in-flight'; // another delivery took it over first
        if (status === 404) return this.claim(scope, key, { now, windowMs, ...(record ? { record } : {}) }); // released meanwhile
        throw upstream('claim', error);
      }
    },
    async complete(scope, key, { now, actions }) {
      try {
        await merge({
          partitionKey: scope,
          rowKey: key,
          state: 'done',
          completedAt: now.toISOString(),
          actions,
        });
      } catch (error) {
        throw upstream('complete', error);
      }
    },
    async prune(olderThan) {
      let deleted = 0;
      const pending = new Map<string, TransactionAction[]>();
      const flush = async (partition: string) => {
        const actions = pending.get(partition) ?? [];
        pending.delete(partition);
        if (actions.length === 0) return;
        await table.submitTransaction(actions);
        deleted += actions.length;
      };
      try {
        const entities = table.listEntities<{ partitionKey: string; rowKey: string }>({
          queryOptions: { filter: odata`Timestamp lt ${olderThan}`, select: ['PartitionKey', 'RowKey'] },
        });
        for await (const { partitionKey, rowKey } of entities) {
          // A transaction holds at most 100 operations, all in one partition.
          const actions = pending.get(partitionKey) ?? [];
          actions.push(['delete', { partitionKey, rowKey }]);
          pending.set(partitionKey, actions);
          if (actions.length === 100) await flush(partitionKey);
        }
        for (const partition of [...pending.keys()]) await flush(partition);
      } catch (error) {
        if (statusOf(error) === 404) return deleted; // no table yet: nothing to prune
        throw upstream('prune', error);
      }
      return deleted;
    },
    async release(scope, key) {
      try {
        await table.deleteEntity(scope, key);
      } catch (error) {
        if (statusOf(error) !== 404) throw upstream('release', error);
      }
    },
  };
}

function decide(existing: DedupeEntity, now: Date, windowMs: number): ClaimResult | 'take-over' {
  const age = (iso: string | undefined) => now.getTime() - new Date(iso ?? 0).getTime();
  if (existing.state === 'done') return age(existing.completedAt) < windowMs ? 'duplicate' : 'take-over';
  return age(existing.claimedAt) < staleClaimMs ? 'in-flight' : 'take-over';
}

function upstream(operation: string, error: unknown): UpstreamError {
  return storageUpstream(`dedupe ${operation}`, error, 'table');
}
