import type { Config } from '../config/schema';
import type { RegionArrivals } from '../deploy/deploy-ports';
import { normalizeRegion } from '../deploy/region-gate';
import type { Issue } from '../errors';
import type { ActionMessage } from '../messages/action-messages';
import type { Clock, Logger } from '../ports';
import type { DeliveryVia } from '../trace/trace-records';

/** What a delivery says besides its payload: the replica region of a regional ACR webhook. */
export interface Delivery {
  /** `?region=westeurope`, the `x-acr-region` header, or Event Grid's `data.location`. */
  region?: string | undefined;
  /** Which endpoint it came through, for the trace (else the event's `source`). */
  via?: DeliveryVia | undefined;
}

/** Query parameter and header a regional ACR webhook names its region with (README "Deployment triggers"). */
export const regionQueryParameter = 'region';
export const regionHeader = 'x-acr-region';

const regionPattern = /^[A-Za-z][A-Za-z0-9 ]{0,63}$/;

/**
 * The region a webhook delivery names, from the query string or the header (the query wins), or the
 * problem with it, as an issue at the place it came from. Undefined when it names none.
 */
export function deliveryRegion(query: string | null, header: string | null): string | Issue | undefined {
  const [value, path] =
    query !== null ? [query, `query.${regionQueryParameter}`] : [header, `headers.${regionHeader}`];
  if (value === null) return undefined;
  const region = value.trim();
  if (regionPattern.test(region)) return region;
  return { path, message: 'expected an Azure region name like westeurope (letters, digits and spaces)' };
}

/**
 * Whether any action of this plan waits for replica regions (a deploy target with `regions`, directly
 * or after a pin): only then is an arrival worth a storage write on the ingress path.
 */
export function plansRegionGate(messages: readonly ActionMessage[], config: Config): boolean {
  const gated = (target: string) => (config.deployTargets[target]?.regions?.length ?? 0) > 0;
  return messages.some(
    (message) =>
      (message.type === 'deploy' && gated(message.target)) ||
      (message.type === 'pin' && (message.then ?? []).some((next) => gated(next.target))),
  );
}

/**
 * Records that the push `dedupeKey` arrived from `region`, for every delivery (duplicates too: a
 * second region's delivery is a duplicate for dedupe, and exactly the arrival the gate waits for).
 * Never rejects: a lost arrival only makes the gate wait for its timeout, which warns; failing the
 * delivery would lose the event (ACR does not retry).
 */
export async function recordArrival(
  deps: { arrivals?: RegionArrivals | undefined; clock: Clock; log: Logger },
  dedupeKey: string,
  region: string,
): Promise<void> {
  if (!deps.arrivals) return;
  try {
    await deps.arrivals.record(dedupeKey, normalizeRegion(region), deps.clock());
    deps.log.debug(`recorded the arrival of ${dedupeKey} in ${region}`);
  } catch (error) {
    deps.log.warn(
      `could not record the arrival of ${dedupeKey} in ${region} (deployments waiting for it fire at their regionTimeout): ${String(error)}`,
    );
  }
}
