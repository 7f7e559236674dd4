import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWTPayload, type CryptoKey } from 'jose';

/** Stands in for Microsoft Entra: serves a tenant's signing keys and signs tokens like Event Grid's. */
export interface FakeEntra {
  tenantId: string;
  /** `http://127.0.0.1:<port>/keys` */
  jwksUrl: string;
  /** How many times the keys were fetched. */
  fetches: number;
  /** Signs a token for Event Grid's app (v2 issuer) unless the claims say otherwise. */
  token(
    claims?: JWTPayload,
    options?: { key?: 'tenant' | 'stranger'; expiresIn?: string; kid?: string },
  ): Promise<string>;
  close(): Promise<void>;
}

export const eventGridAppId = '4962773b-9cdb-44cf-a8bf-237846a00ab7';

export async function startFakeEntra(options: { tenantId?: string; audience: string }): Promise<FakeEntra> {
  const tenantId = options.tenantId ?? '72f988bf-86f1-41af-91ab-2d7cd011db47';
  const tenant = await generateKeyPair('RS256', { extractable: true });
  const stranger = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(tenant.publicKey)), kid: 'tenant-key', alg: 'RS256', use: 'sig' };
  const state = { fetches: 0 };
  const server = createServer((request, response) => {
    if (request.url !== '/keys') return void response.writeHead(404).end();
    state.fetches++;
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const keys: Record<'tenant' | 'stranger', CryptoKey> = {
    tenant: tenant.privateKey,
    stranger: stranger.privateKey,
  };
  return {
    tenantId,
    jwksUrl: `http://127.0.0.1:${port}/keys`,
    get fetches() {
      return state.fetches;
    },
    token: (claims = {}, signing = {}) =>
      new SignJWT({
        azp: eventGridAppId,
        tid: tenantId,
        ver: '2.0',
        roles: ['AzureEventGridSecureWebhookSubscriber'],
        ...claims,
      })
        .setProtectedHeader({ alg: 'RS256', kid: signing.kid ?? 'tenant-key' })
        .setIssuer(
          typeof claims.iss === 'string' ? claims.iss : `https://login.microsoftonline.com/${tenantId}/v2.0`,
        )
        .setAudience(claims.aud ?? options.audience)
        .setIssuedAt()
        .setExpirationTime(signing.expiresIn ?? '1h')
        .sign(keys[signing.key ?? 'tenant']),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
