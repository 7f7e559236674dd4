import { describe, expect, it } from 'vitest';
import { parseAcrWebhook } from '../../../../shared/domain/events/parse-acr-webhook';
import type { ParseContext } from '../../../../shared/domain/events/parse-outcome';
import { canonicalRegistryFor } from '../../../../shared/domain/events/registry-aliases';
import { loadFixture } from '../../../helpers/fixtures';

const ctx: ParseContext = {
  receivedAt: new Date('2026-11-25T10:00:00.000Z'),
  newId: () => 'generated-id',
  canonicalRegistry: canonicalRegistryFor({}),
};

describe('parseAcrWebhook', () => {
  it.each([
    ['push.json', 'push', 'myregistry.azurecr.io', 'hello-world', 'v1', '2017-11-17T16:52:01.343Z'],
    [
      'push-2026-no-useragent.json',
      'push',
      'contoso.azurecr.io',
      'payments/api',
      '1.4.2',
      '2026-03-02T09:14:27.118Z',
    ],
    ['delete.json', 'delete', 'myregistry.azurecr.io', 'hello-world', undefined, '2017-11-17T16:54:53.657Z'],
    ['chart-push.json', 'chart_push', '', 'repo', 'wordpress-5.4.0.tgz', '2019-03-05T23:45:31.261Z'],
    ['chart-delete.json', 'chart_delete', '', 'repo', 'wordpress-5.4.0.tgz', '2019-03-06T00:02:13.210Z'],
  ])('accepts the documented %s', (file, action, registry, repository, tag, occurredAt) => {
    const outcome = parseAcrWebhook(loadFixture(`events/acr-webhook/${file}`), ctx);
    expect(outcome.kind).toBe('accepted');
    if (outcome.kind !== 'accepted') return;
    expect(outcome.event).toMatchObject({ source: 'acr-webhook', action, registry, repository, occurredAt });
    expect(outcome.event.tag).toBe(tag);
    expect(outcome.event.dedupeKey).toMatch(/^[0-9a-f]{32}$/);
  });

  it.each([
    ['ping.json', /ping/],
    ['quarantine.json', /quarantine/],
  ])('acknowledges and ignores %s with a reason', (file, reason) => {
    const outcome = parseAcrWebhook(loadFixture(`events/acr-webhook/${file}`), ctx);
    expect(outcome).toMatchObject({ kind: 'ignored', reason: expect.stringMatching(reason) });
  });

  it('needs nothing but action: every other field may be missing', () => {
    const outcome = parseAcrWebhook(
      { action: 'push', target: { repository: 'a', digest: `sha256:${'1'.repeat(64)}` } },
      ctx,
    );
    expect(outcome).toMatchObject({
      kind: 'accepted',
      event: { id: 'generated-id', registry: '', occurredAt: '2026-11-25T10:00:00.000Z' },
    });
  });

  it('ignores a push that names no image instead of rejecting it', () => {
    expect(parseAcrWebhook({ action: 'push' }, ctx)).toMatchObject({
      kind: 'ignored',
      reason: expect.stringContaining('target.repository and target.digest'),
    });
  });

  it('falls back to the host of target.url, then the configured default registry', () => {
    const body = {
      action: 'chart_push',
      target: { repository: 'r', digest: `sha256:${'1'.repeat(64)}`, url: 'https://Reg.azurecr.io/v2/r' },
    };
    expect(parseAcrWebhook(body, ctx)).toMatchObject({ event: { registry: 'reg.azurecr.io' } });
    const bare = { action: 'chart_push', target: { repository: 'r', digest: `sha256:${'1'.repeat(64)}` } };
    expect(parseAcrWebhook(bare, { ...ctx, defaultRegistry: 'default.azurecr.io' })).toMatchObject({
      event: { registry: 'default.azurecr.io' },
    });
  });

  it('keeps an unreadable timestamp from failing the event', () => {
    const body = {
      action: 'delete',
      timestamp: 'yesterday',
      target: { repository: 'r', digest: `sha256:${'1'.repeat(64)}` },
    };
    expect(parseAcrWebhook(body, ctx)).toMatchObject({ event: { occurredAt: '2026-11-25T10:00:00.000Z' } });
  });

  it.each([
    ['no action', { target: {} }, 'action', /required/],
    ['an unknown action', { action: 'tag_delete' }, 'action', /expected one of push, delete/],
    [
      'a numeric tag',
      { action: 'push', target: { repository: 'a', digest: 'd', tag: 7 } },
      'target.tag',
      /expected string/,
    ],
    ['a string target', { action: 'push', target: 'nope' }, 'target', /expected object/],
  ])('rejects %s, naming the path', (_name, body, path, message) => {
    const outcome = parseAcrWebhook(body, ctx);
    expect(outcome.kind).toBe('invalid');
    if (outcome.kind !== 'invalid') return;
    expect(outcome.issues).toContainEqual({ path, message: expect.stringMatching(message) });
  });

  it.each([null, 'push', 42, [{ action: 'push' }]])('rejects a body that is not an object (%j)', (body) => {
    expect(parseAcrWebhook(body, ctx).kind).toBe('invalid');
  });

  it('never echoes the payload back in its issues', () => {
    const secretish = 'sk-live-0123456789abcdef';
    const outcome = parseAcrWebhook({ action: secretish, target: { tag: { nested: secretish } } }, ctx);
    expect(JSON.stringify(outcome)).not.toContain(secretish);
  });
});

describe('parseAcrWebhook: image identity at the edge', () => {
  const good = {
    action: 'push',
    target: { repository: 'payments/api', tag: '1.4.9', digest: `sha256:${'a'.repeat(64)}` },
    request: { host: 'contoso.azurecr.io' },
  };
  const withTarget = (target: Record<string, unknown>) => ({
    ...good,
    target: { ...good.target, ...target },
  });

  it.each([
    [
      'a digest that is not algorithm:encoded',
      withTarget({ digest: 'abc' }),
      'target.digest',
      /not a digest/,
    ],
    [
      'sha256 with non-hex',
      withTarget({ digest: 'sha256:zzz' }),
      'target.digest',
      /not a digest|64 lowercase hex/,
    ],
    [
      'sha256 too short',
      withTarget({ digest: 'sha256:abc123' }),
      'target.digest',
      /64 lowercase hex characters; got 6/,
    ],
    [
      'sha256 upper case',
      withTarget({ digest: `sha256:${'A'.repeat(64)}` }),
      'target.digest',
      /64 lowercase hex/,
    ],
    [
      'sha512 of the wrong length',
      withTarget({ digest: `sha512:${'a'.repeat(64)}` }),
      'target.digest',
      /128 lowercase hex/,
    ],
    [
      'a repository with upper case',
      withTarget({ repository: 'Payments/API' }),
      'target.repository',
      /must be lowercase/,
    ],
    [
      'a repository with an emoji',
      withTarget({ repository: 'payments/🚀' }),
      'target.repository',
      /not a repository name/,
    ],
    [
      'a repository with a space',
      withTarget({ repository: 'payments/a b' }),
      'target.repository',
      /not a repository name/,
    ],
    [
      'a repository ending in /',
      withTarget({ repository: 'payments/' }),
      'target.repository',
      /not a repository name/,
    ],
    [
      'a name over 255 characters',
      withTarget({ repository: `a/${'b'.repeat(260)}` }),
      'target.repository',
      /at most 255/,
    ],
    ['a tag starting with .', withTarget({ tag: '.hidden' }), 'target.tag', /not a tag/],
    [
      'a 40,000-character tag',
      withTarget({ tag: 'v'.repeat(40_000) }),
      'target.tag',
      /at most 128 characters; got 40000/,
    ],
    [
      'a registry host with a path',
      { ...good, request: { host: 'evil.example/x?' } },
      'request.host',
      /not a registry host/,
    ],
    ['a 300-character id', { ...good, id: 'x'.repeat(300) }, 'id', /at most 256/],
  ])('refuses %s, naming the field', (_name, body, path, message) => {
    const outcome = parseAcrWebhook(body, ctx);
    expect(outcome).toMatchObject({
      kind: 'invalid',
      issues: expect.arrayContaining([{ path, message: expect.stringMatching(message) }]),
    });
    // A huge value is quoted cut, never whole.
    expect(JSON.stringify(outcome).length).toBeLessThan(2_000);
  });

  it('lists every bad field at once', () => {
    const outcome = parseAcrWebhook(withTarget({ digest: 'abc', repository: 'A', tag: '-x' }), ctx);
    expect(outcome.kind === 'invalid' && outcome.issues.map((issue) => issue.path)).toEqual([
      'target.digest',
      'target.repository',
      'target.tag',
    ]);
  });

  it.each([
    ['a registry with a port', { ...good, request: { host: 'registry.local:5000' } }],
    ['an IPv4 registry', { ...good, request: { host: '10.0.0.7:5000' } }],
    ['a repository with __ and --', withTarget({ repository: 'team__a/my--app.v2' })],
    ['a tag with _ . and -', withTarget({ tag: 'v1.2.3_rc-1' })],
    ['an unregistered digest algorithm', withTarget({ digest: 'blake3:abcdef0123456789' })],
    ['a sha512 digest', withTarget({ digest: `sha512:${'b'.repeat(128)}` })],
  ])('accepts %s', (_name, body) => {
    expect(parseAcrWebhook(body, ctx).kind).toBe('accepted');
  });
});
