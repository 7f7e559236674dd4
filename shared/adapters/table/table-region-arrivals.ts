import { odata, type TableClient } from '@azure/data-tables';
import type { RegionArrivals, RegionSightings } from '../../domain/deploy/deploy-ports';
import { statusOf, storageUpstream } from '../storage-errors';
import { createOnFirstUse } from './create-on-first-use';

interface ArrivalEntity {
  partitionKey: string;
  rowKey: string;
  /** ISO time of the first delivery from this region (or when the gate first looked). */
  at: string;
}

const gateRow = 'gate';
const regionPrefix = 'region-';

/**
 * Region arrivals in the dedupe table (so the nightly prune removes them with the dedupe records):
 * partition `arrivals-<dedupe key>`, one row per region and one `gate` row for when the deploy gate
 * first looked. Insert-only: the first arrival of a region wins, a repeat is a 409 that changes
 * nothing, and regions arriving at once never contend for one entity.
 */
export function createTableRegionArrivals(table: TableClient): RegionArrivals {
  const withTable = createOnFirstUse(table);
  const insert = async (entity: ArrivalEntity) => {
    try {
      await withTable(() => table.createEntity(entity));
    } catch (error) {
      if (statusOf(error) !== 409) throw storageUpstream('region arrival write', error, 'table');
    }
  };

  return {
    async record(key, region, at) {
      await insert({
        partitionKey: partitionOf(key),
        rowKey: `${regionPrefix}${region}`,
        at: at.toISOString(),
      });
    },
    async read(key, now): Promise<RegionSightings> {
      const partitionKey = partitionOf(key);
      const arrivals: Record<string, Date> = {};
      let gate: Date | undefined;
      try {
        const rows = table.listEntities<ArrivalEntity>({
          queryOptions: { filter: odata`PartitionKey eq ${partitionKey}` },
        });
        for await (const row of rows) {
          const at = new Date(row.at);
          if (Number.isNaN(at.getTime())) continue;
          if (row.rowKey === gateRow) gate = at;
          else if (row.rowKey.startsWith(regionPrefix)) arrivals[row.rowKey.slice(regionPrefix.length)] = at;
        }
      } catch (error) {
        if (statusOf(error) !== 404) throw storageUpstream('region arrival read', error, 'table');
      }
      if (!gate) {
        await insert({ partitionKey, rowKey: gateRow, at: now.toISOString() });
        gate = now;
      }
      const firstSeenAt = new Date(
        Math.min(gate.getTime(), ...Object.values(arrivals).map((at) => at.getTime())),
      );
      return { arrivals, firstSeenAt };
    },
  };
}

/** Dedupe keys are 32 hex characters; checked anyway so a bad one fails here, not as a 400. */
function partitionOf(key: string): string {
  if (!/^[\w.-]{1,200}$/.test(key)) throw new Error(`"${key}" cannot name a region arrival partition`);
  return `arrivals-${key}`;
}
