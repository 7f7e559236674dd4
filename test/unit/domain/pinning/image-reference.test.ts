import { describe, expect, it } from 'vitest';
import {
  canonicalRegistry,
  parseImageReference,
  sameRepository,
} from '../../../../shared/domain/pinning/image-reference';

const hex = 'a'.repeat(64);
const digest = `sha256:${hex}`;

describe('parseImageReference', () => {
  it.each([
    ['nginx', 'docker.io', 'library/nginx', undefined, undefined],
    ['nginx:1.27', 'docker.io', 'library/nginx', '1.27', undefined],
    ['bitnami/nginx:1.27.3-debian-12-r0', 'docker.io', 'bitnami/nginx', '1.27.3-debian-12-r0', undefined],
    ['docker.io/nginx', 'docker.io', 'library/nginx', undefined, undefined],
    ['docker.io/library/nginx:latest', 'docker.io', 'library/nginx', 'latest', undefined],
    ['index.docker.io/library/nginx', 'docker.io', 'library/nginx', undefined, undefined],
    ['registry-1.docker.io/nginx:1.27', 'docker.io', 'library/nginx', '1.27', undefined],
    ['Registry-1.Docker.io/bitnami/redis', 'docker.io', 'bitnami/redis', undefined, undefined],
    ['Index.Docker.IO/grafana/grafana:11.0.0', 'docker.io', 'grafana/grafana', '11.0.0', undefined],
    ['myreg.azurecr.io/payments/api:1.4.2', 'myreg.azurecr.io', 'payments/api', '1.4.2', undefined],
    ['MyReg.AzureCR.io/payments/api:1.4.2', 'myreg.azurecr.io', 'payments/api', '1.4.2', undefined],
    ['localhost/app', 'localhost', 'app', undefined, undefined],
    ['localhost:5000/app:dev', 'localhost:5000', 'app', 'dev', undefined],
    ['registry.example.com:8443/team/app', 'registry.example.com:8443', 'team/app', undefined, undefined],
    ['127.0.0.1:5000/app:1', '127.0.0.1:5000', 'app', '1', undefined],
    ['[::1]:5000/app:1.0', '[::1]:5000', 'app', '1.0', undefined],
    ['[2001:db8::1]/team/app', '[2001:db8::1]', 'team/app', undefined, undefined],
    ['Foo/bar', 'foo', 'bar', undefined, undefined],
    ['public.ecr.aws/docker/library/redis:7', 'public.ecr.aws', 'docker/library/redis', '7', undefined],
    ['ghcr.io/library/app', 'ghcr.io', 'library/app', undefined, undefined],
    ['myreg.azurecr.io/app', 'myreg.azurecr.io', 'app', undefined, undefined],
    [`app@${digest}`, 'docker.io', 'library/app', undefined, digest],
    [`myreg.azurecr.io/payments/api:1.4.2@${digest}`, 'myreg.azurecr.io', 'payments/api', '1.4.2', digest],
    [`ghcr.io/a/b:v1@sha512:${'c'.repeat(128)}`, 'ghcr.io', 'a/b', 'v1', `sha512:${'c'.repeat(128)}`],
    [
      'app:0123456789abcdef0123456789abcdef01234567',
      'docker.io',
      'library/app',
      '0123456789abcdef0123456789abcdef01234567',
      undefined,
    ],
    ['a/b__c/d-e--f/g.h_i:_tag', 'docker.io', 'a/b__c/d-e--f/g.h_i', '_tag', undefined],
  ])('parses %s', (text, registry, repository, tag, expectedDigest) => {
    const result = parseImageReference(text);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.reference.registry).toBe(registry);
    expect(result.reference.repository).toBe(repository);
    expect(result.reference.tag).toBe(tag);
    expect(result.reference.digest).toBe(expectedDigest);
  });

  it('keeps the name as written, for rewriting', () => {
    const result = parseImageReference(`MyReg.azurecr.io/app:1@${digest}`);
    expect(result).toMatchObject({ ok: true, reference: { name: 'MyReg.azurecr.io/app' } });
  });

  it.each([
    ['', 'empty'],
    ['my app', 'whitespace'],
    [digest, 'bare digest'],
    [`sha512:${'c'.repeat(128)}`, 'bare digest'],
    [hex, 'hex string'],
    ['MyApp:1.0', 'lowercase'],
    ['myreg.azurecr.io/Payments/API:1.0', 'lowercase'],
    ['app:', 'invalid tag'],
    ['app:-1', 'invalid tag'],
    [`app:${'t'.repeat(129)}`, 'invalid tag'],
    ['app@sha256:abc', 'invalid digest'],
    ['app@', 'invalid digest'],
    [`app@${digest}@${digest}`, 'invalid digest'],
    ['app:1.0:2.0', 'invalid repository'],
    ['myreg.azurecr.io/', 'no repository'],
    ['-bad.host/app', 'invalid registry host'],
    ['host.example.com:port/app', 'invalid registry port'],
    ['[::1/app', 'invalid registry host'],
    ['app//double', 'invalid repository'],
    ['app/-x', 'invalid repository'],
    ['${REGISTRY}/app:1.0', 'invalid'],
    [`a/${'b'.repeat(255)}`, '255 characters'],
  ])('rejects %j (%s)', (text, reason) => {
    const result = parseImageReference(text);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason).toContain(reason);
  });
});

describe('sameRepository', () => {
  const ref = (text: string) => {
    const result = parseImageReference(text);
    if (!result.ok) throw new Error(result.reason);
    return result.reference;
  };

  it('compares hosts case-insensitively and paths exactly', () => {
    expect(sameRepository(ref('MyReg.azurecr.io/app:1'), ref('myreg.azurecr.io/app:2'))).toBe(true);
    expect(sameRepository(ref('myreg.azurecr.io/app'), ref('myreg.azurecr.io/app2'))).toBe(false);
    expect(sameRepository(ref('myreg.azurecr.io/team/app'), ref('myreg.azurecr.io/app'))).toBe(false);
  });

  it('treats docker.io spellings as one registry', () => {
    expect(sameRepository(ref('nginx'), ref('index.docker.io/library/nginx:1'))).toBe(true);
    expect(sameRepository(ref('library/nginx'), ref('registry-1.docker.io/nginx'))).toBe(true);
    expect(sameRepository(ref('docker.io/nginx'), ref('docker.io/library/nginx'))).toBe(true);
    expect(sameRepository(ref('nginx'), ref('ghcr.io/library/nginx'))).toBe(false);
  });

  it('resolves registry aliases in both directions', () => {
    const aliases = { 'myreg.azurecr.io': ['Registry.Example.com', 'myreg-westeurope.azurecr.io'] };
    expect(sameRepository(ref('registry.example.com/app'), ref('myreg.azurecr.io/app'), aliases)).toBe(true);
    expect(
      sameRepository(ref('myreg-westeurope.azurecr.io/app'), ref('REGISTRY.example.com/app'), aliases),
    ).toBe(true);
    expect(sameRepository(ref('other.example.com/app'), ref('myreg.azurecr.io/app'), aliases)).toBe(false);
  });

  it('keeps ports significant', () => {
    expect(sameRepository(ref('localhost:5000/app'), ref('localhost/app'))).toBe(false);
  });
});

describe('canonicalRegistry', () => {
  it.each([
    ['MyReg.azurecr.io', {}, 'myreg.azurecr.io'],
    ['index.docker.io', {}, 'docker.io'],
    ['REGISTRY-1.docker.io', {}, 'docker.io'],
    ['cdn.example.com', { 'MyReg.azurecr.io': ['CDN.example.com'] }, 'myreg.azurecr.io'],
  ])('%s → %s', (host, aliases, expected) => {
    expect(canonicalRegistry(host, aliases)).toBe(expected);
  });
});
