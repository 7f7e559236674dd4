import { randomUUID, sign } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestCertificate } from './test-certificate';

/**
 * A Docker-style token service (`GET /token?service=&scope=`) on 127.0.0.1 for docker-registry's
 * `auth.token`: checks Basic credentials and grants every requested action in a JWT signed ES256 with
 * the test certificate (sent in the `x5c` header, trusted through the registry's `rootcertbundle`).
 */

export interface OciTokenServer {
  realm: string;
  service: string;
  issuer: string;
  /** Every token request as received (path and query). */
  requests: string[];
  close(): Promise<void>;
}

const b64url = (value: Buffer | string) => Buffer.from(value).toString('base64url');

export async function startOciTokenServer(options: {
  certificate: TestCertificate;
  username: string;
  password: string;
}): Promise<OciTokenServer> {
  const service = 'oci-registry-test';
  const issuer = 'oci-registry-test-token-issuer';
  const requests: string[] = [];
  const expected = `Basic ${Buffer.from(`${options.username}:${options.password}`).toString('base64')}`;

  const server = createServer((request, response) => {
    requests.push(request.url ?? '');
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/token') return void response.writeHead(404).end();
    if (request.headers.authorization !== expected) {
      return void response
        .writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Basic realm="token"' })
        .end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'bad credentials' }] }));
    }
    const now = Math.floor(Date.now() / 1000);
    const access = url.searchParams.getAll('scope').flatMap((scope) => {
      const [type, ...rest] = scope.split(':');
      const actions = rest.pop();
      return type && actions && rest.length > 0
        ? [{ type, name: rest.join(':'), actions: actions.split(',') }]
        : [];
    });
    const header = { typ: 'JWT', alg: 'ES256', x5c: [options.certificate.certDerBase64] };
    const claims = {
      iss: issuer,
      sub: options.username,
      aud: url.searchParams.get('service') ?? service,
      exp: now + 300,
      nbf: now - 10,
      iat: now,
      jti: randomUUID(),
      access,
    };
    const signingInput = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    const signature = sign('sha256', Buffer.from(signingInput), {
      key: options.certificate.key,
      dsaEncoding: 'ieee-p1363',
    });
    const token = `${signingInput}.${b64url(signature)}`;
    response
      .writeHead(200, { 'content-type': 'application/json' })
      .end(
        JSON.stringify({ token, access_token: token, expires_in: 300, issued_at: new Date().toISOString() }),
      );
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    realm: `http://127.0.0.1:${port}/token`,
    service,
    issuer,
    requests,
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
