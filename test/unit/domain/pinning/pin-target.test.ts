import { describe, expect, it } from 'vitest';
import { InvalidEventError } from '../../../../shared/domain/errors';
import { createPinTarget, decidePin, isNewerToFollow } from '../../../../shared/domain/pinning/pin-target';
import { compileTagMatcher } from '../../../../shared/domain/rules/tag-matcher';

const NEW = `sha256:${'d'.repeat(64)}`;
const OLD = `sha256:${'0'.repeat(64)}`;
const image = { registry: 'MyReg.azurecr.io', repository: 'payments/api', tag: '1.4.2', digest: NEW };

describe('createPinTarget', () => {
  it('normalizes the registry and resolves aliases', () => {
    const target = createPinTarget(image, {
      registryAliases: { 'myreg.azurecr.io': ['registry.contoso.com'] },
    });
    expect(target.registry).toBe('myreg.azurecr.io');
    expect(target.matches({ registry: 'REGISTRY.contoso.com', repository: 'payments/api' })).toBe(true);
    expect(target.matches({ registry: 'myreg.azurecr.io', repository: 'payments/API' })).toBe(false);
    expect(target.mode).toBe('pin');
    expect(target.render).toBe('tag-and-digest');
  });

  it('screens docker.io images by the name people write', () => {
    expect(createPinTarget({ ...image, registry: 'docker.io', repository: 'nginx' }).screen).toBe('nginx');
    expect(createPinTarget({ ...image, registry: 'docker.io', repository: 'nginx' }).repository).toBe(
      'library/nginx',
    );
  });

  it('matches nothing when the event names no registry', () => {
    const target = createPinTarget({ ...image, registry: '' });
    expect(target.matches({ registry: 'docker.io', repository: 'payments/api' })).toBe(false);
  });

  it.each([
    [{ ...image, digest: 'sha256:abc' }, 'digest'],
    [{ ...image, digest: 'latest' }, 'digest'],
    [{ ...image, tag: 'bad tag' }, 'tag'],
    [{ ...image, repository: 'Payments/API' }, 'lowercase'],
  ])('refuses %j', (bad, reason) => {
    expect(() => createPinTarget(bad)).toThrow(InvalidEventError);
    expect(() => createPinTarget(bad)).toThrow(reason);
  });
});

describe('decidePin', () => {
  const pin = createPinTarget(image);
  const follow = createPinTarget(image, { mode: 'follow' });

  it.each([
    ['pins the pushed tag', pin, { tag: '1.4.2' }, { tag: '1.4.2', digest: NEW }],
    [
      'replaces an old digest on the pushed tag',
      pin,
      { tag: '1.4.2', digest: OLD },
      { tag: '1.4.2', digest: NEW },
    ],
    ['leaves an already pinned reference', pin, { tag: '1.4.2', digest: NEW }, undefined],
    ['leaves another tag in pin mode', pin, { tag: '1.4.1' }, undefined],
    ['leaves an untagged reference', pin, { digest: OLD }, undefined],
    [
      'moves an older semver tag in follow mode',
      follow,
      { tag: '1.4.1', digest: OLD },
      { tag: '1.4.2', digest: NEW },
    ],
    ['keeps a newer tag in follow mode', follow, { tag: '1.5.0' }, undefined],
    ['keeps a non-semver tag in follow mode', follow, { tag: 'latest' }, undefined],
  ])('%s', (_name, target, current, expected) => {
    expect(decidePin(current, target)).toEqual(expected);
  });

  it('follows a marker tag only, and never moves it', () => {
    expect(decidePin({ tag: undefined, digest: OLD }, pin, '1.4.2')).toEqual({ tag: '1.4.2', digest: NEW });
    expect(decidePin({ tag: '1.4.1' }, follow, '1.4.1')).toBeUndefined();
  });

  it('does nothing for a digest-only push', () => {
    const { tag: _tag, ...untagged } = image;
    expect(decidePin({ tag: '1.4.2' }, createPinTarget(untagged))).toBeUndefined();
  });
});

describe('isNewerToFollow', () => {
  it.each([
    ['1.4.1', '1.4.2', undefined, true],
    ['1.4.2', '1.4.2', undefined, false],
    ['1.5.0', '1.4.2', undefined, false],
    ['0.9.0', '2.0.0', undefined, true],
    ['v1.4.1', 'v1.4.2', undefined, true],
    ['V1.4.1', 'v1.4.2', undefined, true],
    ['v1.4.1', '1.4.2', undefined, false],
    ['1.4.1', 'v1.4.2', undefined, false],
    ['1.4', '1.4.2', undefined, false],
    ['main-abc123', '1.4.2', undefined, false],
    ['1.4.1', '1.5.0-rc.1', undefined, false],
    ['1.5.0-rc.1', '1.5.0-rc.2', undefined, true],
    ['1.4.1', '1.4.2', 'semver:^1.0.0', true],
    ['1.4.1', '2.0.0', 'semver:^1.0.0', false],
    ['1.4.1', '1.5.0-rc.1', 're:^1\\.', true],
    ['1.4.1', '1.4.2', 'v*', false],
    ['1.4.1', '1.4.2', '1.*', true],
  ])('%s → %s with %s: %s', (current, pushed, pattern, expected) => {
    const matcher = pattern === undefined ? undefined : compileTagMatcher(pattern);
    expect(isNewerToFollow(current, pushed, matcher)).toBe(expected);
  });
});
