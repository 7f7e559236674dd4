import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTableClient } from '../../../shared/adapters/storage-clients';
import { createTableDedupeStore } from '../../../shared/adapters/table/table-dedupe-store';
import { createTableRegionArrivals } from '../../../shared/adapters/table/table-region-arrivals';
import type { RegionArrivals } from '../../../shared/domain/deploy/deploy-ports';
import type { DedupeStore } from '../../../shared/domain/ports';
import type { AzuriteHandle } from '../../../shared/local-host/azurite';
import { startTestAzurite } from '../../helpers/azurite';

let azurite: AzuriteHandle;
let arrivals: RegionArrivals;
let dedupe: DedupeStore;
const t0 = new Date('2026-11-25T10:00:00.000Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);
const key = '0123456789abcdef0123456789abcdef';

beforeAll(async () => {
  azurite = await startTestAzurite();
  // The dedupe table, not created yet: arrivals live next to the dedupe records and are pruned with them.
  const table = createTableClient(
    { kind: 'connection-string', connectionString: azurite.connectionString },
    'arrivalstest',
  );
  arrivals = createTableRegionArrivals(table);
  dedupe = createTableDedupeStore(table);
});
afterAll(() => azurite?.stop());

describe('createTableRegionArrivals (Azurite)', () => {
  it('keeps the first arrival of each region and opens the gate on the first read', async () => {
    await Promise.all([
      arrivals.record(key, 'westeurope', at(0)),
      arrivals.record(key, 'westeurope', at(1)),
      arrivals.record(key, 'northeurope', at(45)),
    ]);
    await arrivals.record(key, 'westeurope', at(90));

    expect(await arrivals.read(key, at(100))).toEqual({
      arrivals: { westeurope: at(0), northeurope: at(45) },
      firstSeenAt: at(0),
    });
    // The gate row does not move the first sighting later.
    expect((await arrivals.read(key, at(200))).firstSeenAt).toEqual(at(0));
  });

  it('counts from the first read when no region ever reported', async () => {
    const other = 'ffffffffffffffffffffffffffffffff';
    expect(await arrivals.read(other, at(10))).toEqual({ arrivals: {}, firstSeenAt: at(10) });
    expect(await arrivals.read(other, at(70))).toEqual({ arrivals: {}, firstSeenAt: at(10) });
  });

  it('is pruned with the dedupe records', async () => {
    const pruned = await dedupe.prune(new Date(Date.now() + 60_000));
    expect(pruned).toBeGreaterThanOrEqual(4);
    expect((await arrivals.read(key, at(300))).arrivals).toEqual({});
  });
});
