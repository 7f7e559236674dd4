import type { Clock, StateStore } from '../ports';

/** State scope of the per-registry leases (a row per registry name). */
export const leaseScope = 'retention-lease';

/** Who holds a registry's lease, as stored. */
export interface LeaseHolder {
  owner: string;
  /** `timer`, `http`, `push`, `cli`. */
  trigger: string;
  startedAt: string;
  expiresAt: string;
}

export interface RetentionLease {
  /** Pushes the expiry out; false when the lease was taken over meanwhile (it had expired). */
  renew(): Promise<boolean>;
  /** Gives the lease back (only if it is still ours). */
  release(): Promise<void>;
  /** True once a renewal found the lease taken: stop deleting. */
  readonly lost: boolean;
}

export type LeaseResult = { kind: 'acquired'; lease: RetentionLease } | { kind: 'busy'; holder: LeaseHolder };

/**
 * Takes the registry's lease in Table Storage (issue 11 §4: two runs never overlap on one registry). A
 * row that exists and has not expired means another run holds it; an expired one (its run died
 * half-way) is taken over with its ETag, so of two runs taking it over at once only one wins. Renew
 * it well within `ttlMs` while the run lasts.
 */
export async function acquireLease(
  state: StateStore,
  input: { registry: string; owner: string; trigger: string; ttlMs: number; clock: Clock },
): Promise<LeaseResult> {
  const { registry, owner, trigger, ttlMs, clock } = input;
  const startedAt = clock().toISOString();
  const holder = (): LeaseHolder => ({
    owner,
    trigger,
    startedAt,
    expiresAt: new Date(clock().getTime() + ttlMs).toISOString(),
  });
  const existing = await state.get<LeaseHolder>(leaseScope, registry);
  if (existing && isHeld(existing.value, clock())) return { kind: 'busy', holder: existing.value };
  const taken = await state.put(leaseScope, registry, holder(), existing?.etag);
  if (taken === 'conflict') {
    const winner = await state.get<LeaseHolder>(leaseScope, registry);
    return { kind: 'busy', holder: winner?.value ?? holder() };
  }
  let etag: string | undefined = taken.etag;
  let lost = false;
  return {
    kind: 'acquired',
    lease: {
      get lost() {
        return lost;
      },
      async renew() {
        if (lost || etag === undefined) return !lost;
        const renewed = await state.put(leaseScope, registry, holder(), etag);
        if (renewed === 'conflict') {
          lost = true;
          return false;
        }
        etag = renewed.etag;
        return true;
      },
      async release() {
        if (lost || etag === undefined) return;
        await state.delete(leaseScope, registry, etag);
      },
    },
  };
}

function isHeld(value: LeaseHolder | undefined, now: Date): value is LeaseHolder {
  if (!value || typeof value.expiresAt !== 'string') return false;
  const expires = Date.parse(value.expiresAt);
  return Number.isFinite(expires) && expires > now.getTime();
}
