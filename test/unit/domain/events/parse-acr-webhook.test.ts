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
    const outcome = parseAcrWebhook({ action: 'push', target: { repository: 'a', digest: 'sha256:1' } }, ctx);
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
      target: { repository: 'r', digest: 'sha256:1', url: 'https://Reg.azurecr.io/v2/r' },
    };
    expect(parseAcrWebhook(body, ctx)).toMatchObject({ event: { registry: 'reg.azurecr.io' } });
    const bare = { action: 'chart_push', target: { repository: 'r', digest: 'sha256:1' } };
    expect(parseAcrWebhook(bare, { ...ctx, defaultRegistry: 'default.azurecr.io' })).toMatchObject({
      event: { registry: 'default.azurecr.io' },
    });
  });

  it('keeps an unreadable timestamp from failing the event', () => {
    const body = {
      action: 'delete',
      timestamp: 'yesterday',
      target: { repository: 'r', digest: 'sha256:1' },
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
