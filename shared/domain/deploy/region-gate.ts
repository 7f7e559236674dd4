import { formatDuration } from '../config/duration';
/**
 * The replication gate (issue 10 §3). With ACR geo-replication a push lands in the other replicas
 * seconds to minutes later; a deployment that starts on the first delivery can pull an image its region
 * does not have yet. Each replica's regional webhook (or Event Grid's `data.location`) records an
 * arrival; a target with `regions:` fires once every listed region has one, or at `regionTimeout`
 * after the first delivery with a warning naming the regions that never reported
 * (shared/reference/next.md §3).
 */

export type RegionGateDecision =
  | { kind: 'fire' }
  | { kind: 'wait'; missing: string[]; until: Date }
  | { kind: 'fire-with-warning'; missing: string[]; warning: string };

export interface RegionGateInput {
  /** The target's `regions`, as the config spells them. Empty or absent: no gate. */
  regions: readonly string[] | undefined;
  /** Region → when a delivery from it was first seen. Names in any spelling (`West Europe`, `westeurope`). */
  arrivals: Readonly<Record<string, Date>>;
  /** When the push was first seen from any region: the timeout counts from here. */
  firstSeenAt: Date;
  now: Date;
  /** `regionTimeout` in milliseconds. */
  timeoutMs: number;
}

/** `West Europe`, `westeurope` and `WestEurope` are one region: lower-case, letters and digits only. */
export function normalizeRegion(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** Decides, purely, whether a target fires now, waits (until when), or fires anyway at the timeout. */
export function decideRegionGate(input: RegionGateInput): RegionGateDecision {
  const arrived = new Set(Object.keys(input.arrivals).map(normalizeRegion));
  const missing = [...new Set(input.regions ?? [])].filter((region) => !arrived.has(normalizeRegion(region)));
  if (missing.length === 0) return { kind: 'fire' };
  const until = new Date(input.firstSeenAt.getTime() + input.timeoutMs);
  if (input.now.getTime() < until.getTime()) return { kind: 'wait', missing, until };
  return { kind: 'fire-with-warning', missing, warning: regionWarning(missing, input.timeoutMs) };
}

/** `the image was not seen in westeurope within 10m of the push; deployed anyway`. */
function regionWarning(missing: readonly string[], timeoutMs: number): string {
  return (
    `the image was not seen in ${missing.join(', ')} within ${formatDuration(timeoutMs)} of the push; ` +
    'deployed anyway (check the regional ACR webhooks and replication)'
  );
}
