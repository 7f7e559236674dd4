import { describe, expect, it } from 'vitest';
import {
  formatParkedList,
  matchesId,
  readParked,
  requeuedBody,
  type StoredQueueMessage,
} from '../../../../shared/domain/messages/parked-message';
import { sampleEvent } from '../../../helpers/sample-event';

const now = new Date('2026-12-01T12:00:00.000Z');
const event = sampleEvent({ dedupeKey: '0c36936574fa27a43e677746139dde48' });
const deploy = {
  type: 'deploy',
  dedupeKey: event.dedupeKey,
  correlationId: event.id,
  event,
  rule: { index: 0 },
  notify: [],
  target: 'prod',
};
const parkedDelivery = {
  attempt: 7,
  firstAttemptAt: '2026-12-01T09:00:00.000Z',
  parkedAt: '2026-12-01T10:30:00.000Z',
  reason: 'GitHub answered 422: no workflow deploy.yml\n  at trigger',
};

const stored = (body: unknown, insertedOn = new Date('2026-12-01T11:00:00.000Z')): StoredQueueMessage => ({
  id: '6f0a1c2e-0000-4000-8000-000000000001',
  body,
  insertedOn,
});

describe('readParked', () => {
  it('reads what the runner parked: reason, parkedAt, attempts and what it is about', () => {
    expect(readParked('deploy-requests', stored({ ...deploy, delivery: parkedDelivery }), now)).toEqual({
      id: '6f0a1c2e-0000-4000-8000-000000000001',
      parkedBy: 'runner',
      reason: parkedDelivery.reason,
      parkedAt: '2026-12-01T10:30:00.000Z',
      ageMs: 90 * 60 * 1000,
      attempts: 7,
      type: 'deploy',
      dedupeKey: event.dedupeKey,
      image: 'contoso.azurecr.io/payments/api:1.4.2@sha256:4f1a8c0e3b2d',
      target: 'deploy target prod',
      replay: `acr-autopilot poison requeue deploy-requests --id ${event.dedupeKey}`,
    });
  });

  it('reads what the Functions host moved (no reason): its age from the insertion time', () => {
    const retried = { ...deploy, delivery: { attempt: 2, firstAttemptAt: '2026-12-01T09:00:00.000Z' } };
    expect(readParked('deploy-requests', stored(retried), now)).toMatchObject({
      parkedBy: 'host',
      reason: expect.stringMatching(
        /^moved here by the Functions host after maxDequeueCount failed deliveries/,
      ),
      parkedAt: '2026-12-01T11:00:00.000Z',
      ageMs: 60 * 60 * 1000,
      attempts: 2,
    });
    expect(readParked('deploy-requests', stored(deploy), now)).toMatchObject({
      parkedBy: 'host',
      attempts: undefined,
    });
  });

  it('names what each kind of message is about', () => {
    const about = (body: unknown) => {
      const { type, image, target } = readParked('q', stored(body), now);
      return { type, image, target };
    };
    expect(about({ type: 'pin', event, repo: 'fleet' })).toEqual({
      type: 'pin',
      image: 'contoso.azurecr.io/payments/api:1.4.2@sha256:4f1a8c0e3b2d',
      target: 'gitops fleet',
    });
    expect(about({ type: 'notify', channel: 'platform', payload: { kind: 'pushed', event } })).toMatchObject({
      image: 'contoso.azurecr.io/payments/api:1.4.2@sha256:4f1a8c0e3b2d',
      target: 'pushed card to channel platform',
    });
    expect(about({ type: 'notify-flush', channel: 'platform', registry: 'r.io', repository: 'web' })).toEqual(
      {
        type: 'notify-flush',
        image: 'r.io/web',
        target: 'burst card to channel platform',
      },
    );
    expect(about({ type: 'retention', event, registry: 'prod' }).target).toBe('retention in registry prod');
    expect(about({ type: 'accepted-event', event, actions: [{}, {}] }).target).toBe('fan-out of 2 actions');
    expect(about('not json')).toEqual({ type: undefined, image: undefined, target: undefined });
  });

  it('replays a message without a dedupe key by its storage id', () => {
    expect(readParked('image-events', stored('not json'), now)).toMatchObject({
      parkedBy: 'host',
      reason: expect.stringMatching(/not JSON/),
      replay: 'acr-autopilot poison requeue image-events --id 6f0a1c2e-0000-4000-8000-000000000001',
    });
  });
});

describe('matchesId', () => {
  it('matches the storage id, the dedupe key, or the key of the event a notification is about', () => {
    const message = stored({ ...deploy, delivery: parkedDelivery });
    expect(matchesId(message, message.id)).toBe(true);
    expect(matchesId(message, event.dedupeKey)).toBe(true);
    expect(matchesId(message, 'ffffffffffffffffffffffffffffffff')).toBe(false);
    const note = stored({ type: 'notify', dedupeKey: 'outcome-key', payload: { kind: 'failed', event } });
    expect(matchesId(note, 'outcome-key')).toBe(true);
    expect(matchesId(note, event.dedupeKey)).toBe(true);
    expect(matchesId(stored('text'), event.dedupeKey)).toBe(false);
  });
});

describe('requeuedBody', () => {
  it('drops parkedAt and reason and starts a fresh budget: attempt 1 from now', () => {
    expect(requeuedBody({ ...deploy, delivery: parkedDelivery }, now)).toEqual({
      ...deploy,
      delivery: { attempt: 1, firstAttemptAt: now.toISOString() },
    });
  });

  it('gives a message the host moved (no delivery, or a retry copy) the same fresh budget', () => {
    const fresh = { ...deploy, delivery: { attempt: 1, firstAttemptAt: now.toISOString() } };
    expect(requeuedBody(deploy, now)).toEqual(fresh);
    expect(requeuedBody({ ...deploy, delivery: { attempt: 4, firstAttemptAt: 'x' } }, now)).toEqual(fresh);
  });

  it('unwraps what the runner wrapped because it was not an object, and leaves other values alone', () => {
    expect(requeuedBody({ body: 'not json', delivery: parkedDelivery }, now)).toBe('not json');
    expect(requeuedBody({ body: [1, 2], delivery: parkedDelivery }, now)).toEqual([1, 2]);
    expect(requeuedBody('text', now)).toBe('text');
  });
});

describe('formatParkedList', () => {
  it('prints one block per message and how to replay them', () => {
    const message = readParked('deploy-requests', stored({ ...deploy, delivery: parkedDelivery }), now);
    expect(formatParkedList('deploy-requests', 'deploy-requests-poison', [message])).toBe(
      [
        'deploy-requests-poison: 1 parked message',
        '',
        '6f0a1c2e-0000-4000-8000-000000000001  parked 1.5 h ago by the runner after 7 attempt(s)',
        '  about:     deploy contoso.azurecr.io/payments/api:1.4.2@sha256:4f1a8c0e3b2d → deploy target prod',
        `  dedupeKey: ${event.dedupeKey}`,
        '  reason:    GitHub answered 422: no workflow deploy.yml at trigger',
        `  replay:    acr-autopilot poison requeue deploy-requests --id ${event.dedupeKey}`,
        '',
        'Replay: acr-autopilot poison requeue deploy-requests --id <id or dedupeKey> (or --all); --dry-run shows what would move.',
        '',
      ].join('\n'),
    );
    expect(formatParkedList('pin-requests', 'pin-requests-poison', [])).toBe(
      'pin-requests-poison: no parked messages\n',
    );
  });
});
