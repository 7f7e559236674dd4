import { describe, expect, it } from 'vitest';
import { parseAcrWebhook } from '../../../../shared/domain/events/parse-acr-webhook';
import {
  parseEventGridDelivery,
  parseEventGridEvent,
  registryFromResourceId,
} from '../../../../shared/domain/events/parse-event-grid';
import type { ParseContext } from '../../../../shared/domain/events/parse-outcome';
import { canonicalRegistryFor } from '../../../../shared/domain/events/registry-aliases';
import { sourceFilterFor } from '../../../../shared/domain/events/event-sources';
import { configSchema } from '../../../../shared/domain/config/schema';
import { loadFixture } from '../../../helpers/fixtures';

const ctx: ParseContext = {
  receivedAt: new Date('2026-11-25T10:00:00.000Z'),
  newId: () => 'generated-id',
  canonicalRegistry: canonicalRegistryFor({}),
};

const pushed = {
  action: 'push',
  registry: 'demo.azurecr.io',
  repository: 'aci-helloworld',
  tag: 'v1',
  digest: 'sha256:213bbc182920ab41e18edc2001e06abcca6735d87782d9cef68abd83941cf0e5',
  occurredAt: '2018-04-25T21:39:47.276Z',
  id: '31c51664-e5bd-416a-a5df-e5206bc47ed0',
  source: 'event-grid',
};

describe('parseEventGridDelivery', () => {
  it.each([
    ['image-pushed.json (Event Grid schema, dataVersion 2.0)', 'image-pushed.json', pushed],
    [
      'image-pushed-v1-bare-type.json (older docs: bare ImagePushed)',
      'image-pushed-v1-bare-type.json',
      pushed,
    ],
    ['cloudevents-image-pushed.json (CloudEvents, single object)', 'cloudevents-image-pushed.json', pushed],
    [
      'image-deleted.json (no tag)',
      'image-deleted.json',
      { action: 'delete', repository: 'aci-helloworld', registry: 'demo.azurecr.io' },
    ],
    [
      'cloudevents-image-deleted-specVersion.json (spec sample spelling, no request)',
      'cloudevents-image-deleted-specVersion.json',
      { action: 'delete', registry: 'demo.azurecr.io' },
    ],
    [
      'chart-pushed.json (no request: registry from the topic)',
      'chart-pushed.json',
      { action: 'chart_push', repository: 'repo', tag: 'mychart-1.0.0.tgz', registry: 'demo.azurecr.io' },
    ],
  ])('accepts %s', (_name, file, expected) => {
    const [outcome, ...rest] = parseEventGridDelivery(loadFixture(`events/event-grid/${file}`), ctx);
    expect(rest).toEqual([]);
    expect(outcome).toMatchObject({ kind: 'accepted', event: expected });
  });

  it('answers the subscription validation event with its code', () => {
    expect(
      parseEventGridDelivery(loadFixture('events/event-grid/subscription-validation.json'), ctx),
    ).toEqual([
      {
        kind: 'validation',
        validationCode: '512d38b6-c7b8-40c8-89fe-f46f9e9622b6',
        validationUrl: expect.stringContaining('eventgrid.azure.net:553'),
      },
    ]);
  });

  it('parses every event of a batch, each on its own', () => {
    const [push] = loadFixture<unknown[]>('events/event-grid/image-pushed.json');
    const outcomes = parseEventGridDelivery(
      [push, { eventType: 'Microsoft.Storage.BlobCreated', id: 'x' }, 7],
      ctx,
    );
    expect(outcomes.map((outcome) => outcome.kind)).toEqual(['accepted', 'ignored', 'invalid']);
    expect(outcomes[2]).toMatchObject({ issues: [{ path: '[2]' }] });
  });

  it('ignores other event types with the reason', () => {
    expect(
      parseEventGridEvent({ eventType: 'Microsoft.ContainerRegistry.ImageQuarantined', id: 'q' }, ctx),
    ).toMatchObject({
      kind: 'ignored',
      eventId: 'q',
      reason: expect.stringContaining('is not handled'),
    });
  });

  it('reports bad data by path under data', () => {
    const outcome = parseEventGridEvent(
      { eventType: 'Microsoft.ContainerRegistry.ImagePushed', data: { target: { size: 'big' } } },
      ctx,
    );
    expect(outcome).toMatchObject({ kind: 'invalid', issues: [{ path: 'data.target.size' }] });
  });

  it('reads CloudEvents data_base64', () => {
    const data = {
      action: 'push',
      target: { repository: 'r', digest: `sha256:${'1'.repeat(64)}`, tag: 't' },
      request: { host: 'h.io' },
    };
    const outcome = parseEventGridEvent(
      {
        specversion: '1.0',
        type: 'Microsoft.ContainerRegistry.ImagePushed',
        source: '/x',
        id: 'e',
        data_base64: Buffer.from(JSON.stringify(data)).toString('base64'),
      },
      ctx,
    );
    expect(outcome).toMatchObject({ kind: 'accepted', event: { repository: 'r', registry: 'h.io' } });
  });

  it('rejects an empty array and things that are not events', () => {
    expect(parseEventGridDelivery([], ctx)).toMatchObject([{ kind: 'invalid' }]);
    expect(parseEventGridDelivery({ hello: 'world' }, ctx)).toMatchObject([
      { kind: 'invalid', issues: [{ message: expect.stringContaining('no eventType') }] },
    ]);
  });
});

describe('dedupe across sources', () => {
  it('gives the same push the same key from the webhook and from Event Grid', () => {
    const [eventGrid] = parseEventGridDelivery(loadFixture('events/event-grid/image-pushed.json'), ctx);
    const webhook = parseAcrWebhook(
      {
        id: 'another-envelope-id',
        action: 'push',
        target: { repository: 'aci-helloworld', tag: 'v1', digest: pushed.digest },
        request: { host: 'DEMO.azurecr.io' },
      },
      ctx,
    );
    expect(eventGrid?.kind).toBe('accepted');
    expect(webhook.kind).toBe('accepted');
    if (eventGrid?.kind !== 'accepted' || webhook.kind !== 'accepted') return;
    expect(webhook.event.dedupeKey).toBe(eventGrid.event.dedupeKey);
  });

  it('keeps a different tag, digest, action or registry apart', () => {
    const base = {
      action: 'push',
      target: { repository: 'r', tag: 't', digest: `sha256:${'1'.repeat(64)}` },
      request: { host: 'a.io' },
    };
    const keyOf = (body: unknown) => {
      const outcome = parseAcrWebhook(body, ctx);
      return outcome.kind === 'accepted' ? outcome.event.dedupeKey : undefined;
    };
    const keys = [
      keyOf(base),
      keyOf({ ...base, target: { ...base.target, tag: 'u' } }),
      keyOf({ ...base, target: { ...base.target, digest: `sha256:${'2'.repeat(64)}` } }),
      keyOf({ ...base, action: 'delete' }),
      keyOf({ ...base, request: { host: 'b.io' } }),
    ];
    expect(new Set(keys).size).toBe(5);
  });

  it('treats a registry alias as the same registry', () => {
    const aliased = {
      ...ctx,
      canonicalRegistry: canonicalRegistryFor({ 'contoso.azurecr.io': ['images.contoso.com'] }),
    };
    const body = (host: string) => ({
      action: 'push',
      target: { repository: 'r', digest: `sha256:${'1'.repeat(64)}` },
      request: { host },
    });
    const a = parseAcrWebhook(body('Images.Contoso.com'), aliased);
    const b = parseAcrWebhook(body('contoso.azurecr.io'), aliased);
    expect(a).toMatchObject({ event: { registry: 'contoso.azurecr.io' } });
    expect(a.kind === 'accepted' && b.kind === 'accepted' && a.event.dedupeKey === b.event.dedupeKey).toBe(
      true,
    );
  });
});

describe('registryFromResourceId', () => {
  it.each([
    [
      '/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/MyReg',
      'myreg.azurecr.io',
    ],
    ['/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/x', undefined],
    [undefined, undefined],
  ])('%s → %s', (id, expected) => {
    expect(registryFromResourceId(id)).toBe(expected);
  });
});

describe('parseEventGridEvent: image identity at the edge', () => {
  it('refuses a bad digest and tag under data., naming each', () => {
    const outcome = parseEventGridEvent(
      {
        id: 'e1',
        eventType: 'Microsoft.ContainerRegistry.ImagePushed',
        topic: '/subscriptions/s/resourceGroups/g/providers/Microsoft.ContainerRegistry/registries/contoso',
        data: {
          action: 'push',
          target: { repository: 'payments/api', tag: 'v'.repeat(40_000), digest: 'abc' },
        },
      },
      ctx,
    );
    expect(outcome).toMatchObject({
      kind: 'invalid',
      issues: [
        { path: 'data.target.digest', message: expect.stringMatching(/not a digest/) },
        { path: 'data.target.tag', message: expect.stringMatching(/at most 128/) },
      ],
    });
  });
});

describe('parseEventGridEvent: topic allow-list', () => {
  const topic = (name: string) =>
    `/subscriptions/0000/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/${name}`;
  const pushed = (source: string) => ({
    id: 'e1',
    eventType: 'Microsoft.ContainerRegistry.ImagePushed',
    topic: source,
    data: {
      action: 'push',
      target: { repository: 'payments/api', tag: '1.0.0', digest: `sha256:${'c'.repeat(64)}` },
      request: { host: 'contoso.azurecr.io' },
    },
  });
  const withRegistries = (registries: string[]): ParseContext => {
    const sources = sourceFilterFor(configSchema.parse({ ingress: { registries } }));
    return sources ? { ...ctx, sources } : ctx;
  };

  it.each([
    [['contoso.azurecr.io'], topic('contoso')],
    [['CONTOSO.azurecr.io'], topic('Contoso').toUpperCase()],
    [[topic('contoso')], topic('contoso')],
    [['contoso.azurecr.cn'], topic('contoso')],
  ])('accepts a topic of a configured registry (%j)', (registries, source) => {
    expect(parseEventGridEvent(pushed(source), withRegistries(registries)).kind).toBe('accepted');
  });

  it('ignores an event from another registry, saying how to allow it', () => {
    expect(parseEventGridEvent(pushed(topic('intruder')), withRegistries(['contoso.azurecr.io']))).toEqual({
      kind: 'ignored',
      eventId: 'e1',
      reason: expect.stringMatching(
        /topic .*intruder is not one of the registries in the config \(contoso\).*ingress\.registries/,
      ),
    });
  });

  it('applies to CloudEvents source too', () => {
    const cloudEvent = {
      specversion: '1.0',
      id: 'c1',
      type: 'Microsoft.ContainerRegistry.ImagePushed',
      source: topic('intruder'),
      data: pushed('').data,
    };
    expect(parseEventGridEvent(cloudEvent, withRegistries(['contoso.azurecr.io'])).kind).toBe('ignored');
  });

  it('accepts any topic when the config names no registry', () => {
    expect(sourceFilterFor(configSchema.parse({}))).toBeUndefined();
  });

  it('collects the registries the config names in other places', () => {
    const config = configSchema.parse({
      ingress: { defaultRegistry: 'one.azurecr.io' },
      registryAliases: { 'two.azurecr.io': ['registry.example.com'] },
      rules: [{ match: { registry: 'three.azurecr.io' } }, { match: { registry: '*.azurecr.io' } }],
    });
    expect(sourceFilterFor(config)?.names).toEqual(['one', 'three', 'two']);
  });
});
