import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ensureDebianPackage } from './debian-package';

const run = promisify(execFile);

export interface TestCertificate {
  /** PKCS#8 PEM private key (EC P-256). Test-only, made fresh for each call, never written to the repo. */
  key: string;
  /** Self-signed X.509 PEM certificate, valid for 2 days. Trust it per client (`ca`), never globally. */
  cert: string;
  /** The certificate as base64 DER (the form a JWS `x5c` header carries). */
  certDerBase64: string;
}

/**
 * A throw-away self-signed certificate made by the `openssl` binary (installed from Debian when
 * missing). Its subjectAltName covers 127.0.0.1, ::1 and localhost, so a loopback HTTPS server can use
 * it; the same certificate signs test tokens (see oci-token-server.ts).
 */
export async function createTestCertificate(
  commonName = 'acr-autopilot test only',
): Promise<TestCertificate> {
  await ensureDebianPackage('/usr/bin/openssl', 'openssl');
  const dir = await mkdtemp(join(tmpdir(), 'acr-autopilot-cert-'));
  try {
    const keyPath = join(dir, 'key.pem');
    const certPath = join(dir, 'cert.pem');
    await run('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      keyPath,
      '-out',
      certPath,
      '-days',
      '2',
      '-subj',
      `/CN=${commonName}`,
      '-addext',
      'subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
    ]);
    const cert = await readFile(certPath, 'utf8');
    return {
      key: await readFile(keyPath, 'utf8'),
      cert,
      certDerBase64: new X509Certificate(cert).raw.toString('base64'),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
