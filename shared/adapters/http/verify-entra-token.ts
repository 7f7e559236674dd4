import type { JSONWebKeySet } from 'jose';
import { UnauthorizedError } from '../../domain/errors';
import type { Clock } from '../../domain/ports';
import type { OutboundClient } from './outbound-client';

export interface EntraTokenPolicy {
  tenantId: string;
  /** The application id URI or client id Event Grid requests tokens for (`aud`). */
  audience: string;
  /** Who may call: Event Grid's application id (`appid` in v1 tokens, `azp` in v2). */
  appId: string;
  /** Default: the tenant's v2 discovery keys, then its v1 keys when a `kid` is not found there. */
  jwksUrl?: string | undefined;
}

export interface EntraVerifier {
  /**
   * Checks an `Authorization: Bearer …` header: signature against the tenant's keys (RS256), issuer (v1
   * or v2 for the tenant), audience, the calling app, expiry and not-before (5 minutes of clock skew).
   * @throws UnauthorizedError saying which check failed (never echoing the token).
   */
  verify(authorization: string | null): Promise<void>;
}

/** Keys are fetched again after this long, or sooner (at most every minute) for an unknown `kid`. */
const keysMaxAgeMs = 24 * 60 * 60_000;
const refetchAfterMs = 60_000;

/**
 * Validates the Microsoft Entra bearer tokens Event Grid sends to a webhook endpoint (next.md §2.a),
 * with `jose` (loaded on first use). The signing keys come through the outbound client, so the host
 * allow-list and the timeout apply to them too.
 */
export function createEntraVerifier(
  policy: EntraTokenPolicy,
  deps: { http: OutboundClient; clock?: Clock },
): EntraVerifier {
  const clock = deps.clock ?? (() => new Date());
  const urls = policy.jwksUrl
    ? [policy.jwksUrl]
    : [
        `https://login.microsoftonline.com/${policy.tenantId}/discovery/v2.0/keys`,
        `https://login.microsoftonline.com/${policy.tenantId}/discovery/keys`,
      ];
  const issuers = [
    `https://login.microsoftonline.com/${policy.tenantId}/v2.0`,
    `https://sts.windows.net/${policy.tenantId}/`,
  ];
  let keys: { set: JSONWebKeySet; fetchedAt: number } | undefined;

  async function fetchKeys(): Promise<JSONWebKeySet> {
    const merged: JSONWebKeySet = { keys: [] };
    for (const url of urls) {
      const response = await deps.http.request({ method: 'GET', url, service: 'Microsoft Entra keys' });
      const body = response.json() as Partial<JSONWebKeySet> | undefined;
      for (const key of Array.isArray(body?.keys) ? body.keys : []) {
        if (!merged.keys.some((known) => known.kid !== undefined && known.kid === key.kid))
          merged.keys.push(key);
      }
    }
    keys = { set: merged, fetchedAt: clock().getTime() };
    return merged;
  }

  async function keysFor(kid: string | undefined): Promise<JSONWebKeySet> {
    const now = clock().getTime();
    if (!keys || now - keys.fetchedAt > keysMaxAgeMs) return fetchKeys();
    const known = kid === undefined || keys.set.keys.some((key) => key.kid === kid);
    if (!known && now - keys.fetchedAt > refetchAfterMs) return fetchKeys();
    return keys.set;
  }

  return {
    async verify(authorization) {
      const token = /^Bearer\s+(\S+)$/i.exec(authorization?.trim() ?? '')?.[1];
      if (!token) {
        throw new UnauthorizedError(
          'missing bearer token: this endpoint takes Microsoft Entra protected Event Grid deliveries; create ' +
            'the subscription with --azure-active-directory-tenant-id and --azure-active-directory-application-id-or-uri',
        );
      }
      const jose = await import('jose');
      let kid: string | undefined;
      try {
        kid = jose.decodeProtectedHeader(token).kid;
      } catch {
        throw new UnauthorizedError('the bearer token is not a JWT');
      }
      const keySet = jose.createLocalJWKSet(await keysFor(kid));
      let payload: Record<string, unknown>;
      try {
        ({ payload } = await jose.jwtVerify(token, keySet, {
          issuer: issuers,
          audience: policy.audience,
          algorithms: ['RS256'],
          clockTolerance: 300,
          currentDate: clock(),
        }));
      } catch (error) {
        throw new UnauthorizedError(`the bearer token was refused: ${reasonOf(error, policy)}`);
      }
      const caller = payload.azp ?? payload.appid;
      if (caller !== policy.appId) {
        throw new UnauthorizedError(
          `the bearer token was issued to application ${typeof caller === 'string' ? caller : '(none)'}, not Event Grid (${policy.appId})`,
        );
      }
    },
  };
}

/** jose's error, said in terms of what to check; never the token or its claims' values beyond names. */
function reasonOf(error: unknown, policy: EntraTokenPolicy): string {
  const code = (error as { code?: unknown } | null)?.code;
  const claim = (error as { claim?: unknown } | null)?.claim;
  switch (code) {
    case 'ERR_JWT_EXPIRED':
      return 'it has expired';
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      if (claim === 'aud') return `its audience is not ${policy.audience} (ingress.eventGrid.entra.audience)`;
      if (claim === 'iss')
        return `it was not issued by tenant ${policy.tenantId} (ingress.eventGrid.entra.tenantId)`;
      return `its ${String(claim)} claim is not valid`;
    case 'ERR_JWKS_NO_MATCHING_KEY':
      return "it was not signed by one of the tenant's keys";
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return 'its signature does not verify';
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return 'it is not signed with RS256';
    default:
      return 'it is not a valid token';
  }
}
