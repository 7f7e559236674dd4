import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../shared/local-host/free-port';
import { ensureDebianPackage } from './debian-package';
import type { RegistryCredentials } from './oci-registry-client';
import { startOciTokenServer, type OciTokenServer } from './oci-token-server';
import { createTestCertificate } from './test-certificate';

export * from './oci-inspect';
export * from './oci-push';
export { manifestAccept, mediaTypes, referrersTag, registryFetch, sha256 } from './oci-registry-client';
export type { RegistryCredentials } from './oci-registry-client';

/**
 * A real OCI registry for integration tests: Debian's `docker-registry` (distribution 2.8.2), installed
 * on first use, started on a free loopback port with deletes enabled and its own generated config and
 * storage directory. Distribution 2.8 has no referrers API, ignores `n`/`last` on tags/list and cannot
 * delete a tag (only a digest, which removes every tag on it); see reference/retention.md §5.
 *
 * Give the `beforeAll` that starts it `OCI_REGISTRY_START_TIMEOUT_MS`: the first start on a fresh
 * machine installs the package (about 5 s; the default 60 s hook timeout is enough, this is headroom).
 */

export const OCI_REGISTRY_START_TIMEOUT_MS = 180_000;
export const DOCKER_REGISTRY_BIN = '/usr/bin/docker-registry';

export interface StartOciRegistryOptions {
  /** `basic`: htpasswd (bcrypt) users; `token`: a local token service signs JWTs the registry trusts. */
  auth?: 'none' | 'basic' | 'token';
  /** Credentials for `basic`/`token` (default `tester` / a random password). */
  credentials?: RegistryCredentials;
  /** `filesystem` (default, a temp dir removed on stop) or `memory`. */
  storage?: 'filesystem' | 'memory';
}

export interface OciRegistry {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** `127.0.0.1:<port>`, as it appears in image references. */
  host: string;
  /** What the registry accepts, for `auth: basic|token`; pass it to the push/list helpers. */
  credentials?: RegistryCredentials;
  tokenServer?: OciTokenServer;
  /** The registry's stderr so far (its log). */
  log(): string;
  stop(): Promise<void>;
}

export async function startOciRegistry(options: StartOciRegistryOptions = {}): Promise<OciRegistry> {
  await ensureDebianPackage(DOCKER_REGISTRY_BIN, 'docker-registry');
  const auth = options.auth ?? 'none';
  const credentials =
    auth === 'none'
      ? undefined
      : (options.credentials ?? { username: 'tester', password: randomBytes(12).toString('hex') });
  const dir = await mkdtemp(join(tmpdir(), 'oci-registry-'));
  let tokenServer: OciTokenServer | undefined;
  try {
    const authConfig: Record<string, unknown> = {};
    if (credentials && auth === 'basic') {
      await writeFile(join(dir, 'htpasswd'), await htpasswdLine(credentials));
      authConfig.htpasswd = { realm: 'oci-registry-test', path: join(dir, 'htpasswd') };
    } else if (credentials && auth === 'token') {
      const certificate = await createTestCertificate('oci-registry-test token issuer (test only)');
      await writeFile(join(dir, 'token-ca.pem'), certificate.cert);
      tokenServer = await startOciTokenServer({ certificate, ...credentials });
      authConfig.token = {
        realm: tokenServer.realm,
        service: tokenServer.service,
        issuer: tokenServer.issuer,
        rootcertbundle: join(dir, 'token-ca.pem'),
      };
    }
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const config = {
        version: 0.1,
        log: { level: 'warn', accesslog: { disabled: true } },
        storage: {
          ...(options.storage === 'memory'
            ? { inmemory: {} }
            : { filesystem: { rootdirectory: join(dir, 'storage') } }),
          delete: { enabled: true },
          maintenance: { uploadpurging: { enabled: false } },
        },
        http: { addr: `127.0.0.1:${port}`, secret: randomBytes(16).toString('hex') },
        ...(Object.keys(authConfig).length > 0 ? { auth: authConfig } : {}),
      };
      // JSON is YAML: the registry reads it as its config file.
      await writeFile(join(dir, 'config.yml'), JSON.stringify(config, null, 2));
      const child = spawn(DOCKER_REGISTRY_BIN, ['serve', join(dir, 'config.yml')], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let log = '';
      child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString('utf8')));
      const url = `http://127.0.0.1:${port}`;
      if (await ready(url, child)) {
        const registry: OciRegistry = {
          url,
          host: `127.0.0.1:${port}`,
          log: () => log,
          stop: async () => {
            await stopChild(child);
            await tokenServer?.close();
            await rm(dir, { recursive: true, force: true });
          },
        };
        if (credentials) registry.credentials = credentials;
        if (tokenServer) registry.tokenServer = tokenServer;
        return registry;
      }
      await stopChild(child);
      if (attempt >= 3) throw new Error(`docker-registry did not start on ${url}:\n${log}`);
    }
  } catch (error) {
    await tokenServer?.close();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

async function ready(url: string, child: ChildProcess): Promise<boolean> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline && child.exitCode === null) {
    try {
      const response = await fetch(`${url}/v2/`);
      await response.body?.cancel();
      if (response.status === 200 || response.status === 401) return true;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

/** A bcrypt htpasswd line (distribution accepts only bcrypt), made by apache2-utils' `htpasswd -nbB`. */
async function htpasswdLine({ username, password }: RegistryCredentials): Promise<string> {
  await ensureDebianPackage('/usr/bin/htpasswd', 'apache2-utils');
  const { stdout } = await promisify(execFile)('htpasswd', ['-nbB', username, password]);
  return stdout.trim() + '\n';
}
