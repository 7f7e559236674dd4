import { describe, expect, it } from 'vitest';
import { validateTeamsMessage } from '../../../../shared/adapters/teams/validate-card';
import { buildTeamsMessage } from '../../../../shared/domain/cards/build-teams-message';
import { deployRequestsAfterPin } from '../../../../shared/domain/deploy/after-pin';
import {
  deployedPayload,
  deployFailedPayload,
  deployNotifications,
  deployOutcomeKey,
} from '../../../../shared/domain/deploy/deploy-notifications';
import {
  notificationPayloadSchema,
  type DeployRequest,
  type PinRequest,
} from '../../../../shared/domain/messages/action-messages';
import { sampleEvent } from '../../../helpers/sample-event';

const event = sampleEvent();
const request: DeployRequest = {
  type: 'deploy',
  dedupeKey: event.dedupeKey,
  correlationId: event.id,
  event,
  rule: { index: 0, name: 'payments' },
  notify: [
    { channel: 'platform', kinds: ['deployed', 'failed'] },
    { channel: 'oncall', kinds: ['failed'] },
  ],
  target: 'payments-aca',
  after: 'pin',
  pin: { repo: 'fleet', result: 'committed', commit: '3f9a1c7e5b2d4f6a8c0e1b3d5f7a9c1e3b5d7f9a' },
};

describe('deployedPayload', () => {
  it('reports the run, the revision, the pin commit and a warning, valid for the card', () => {
    const payload = deployedPayload(request, 'container-app', {
      runUrl: 'https://portal.azure.com/#resource/x',
      revision: 'payments-api--0000007',
      warning: 'the image was not seen in westeurope within 10m of the push; deployed anyway',
    });
    expect(notificationPayloadSchema.parse(payload)).toEqual({
      kind: 'deployed',
      event,
      target: 'payments-aca',
      targetType: 'container-app',
      runUrl: 'https://portal.azure.com/#resource/x',
      revision: 'payments-api--0000007',
      commit: '3f9a1c7e5b2d4f6a8c0e1b3d5f7a9c1e3b5d7f9a',
      warning: 'the image was not seen in westeurope within 10m of the push; deployed anyway',
    });
  });

  it('renders on the deployed card: type, revision, pin commit and warning', () => {
    const payload = deployedPayload(request, 'container-app', {
      revision: 'payments-api--0000007',
      warning: 'the image was not seen in westeurope within 10m of the push; deployed anyway',
    });
    const message = buildTeamsMessage(payload, { mode: 'envelope' });
    expect(validateTeamsMessage(message, 'envelope')).toEqual([]);
    const text = JSON.stringify(message);
    for (const expected of [
      'Azure Container App',
      'payments-api--0000007',
      '3f9a1c7e5b2d',
      'not seen in westeurope',
    ]) {
      expect(text).toContain(expected);
    }
  });

  it('leaves out what is unknown', () => {
    const { pin: _pin, after: _after, ...direct } = request;
    expect(deployedPayload(direct, 'webhook', {})).toEqual({
      kind: 'deployed',
      event,
      target: 'payments-aca',
      targetType: 'webhook',
    });
  });
});

describe('deployNotifications', () => {
  it('sends deployed to the routes that want it, failed to both, under one key per target', () => {
    const deployed = deployNotifications(request, deployedPayload(request, 'container-app', {}));
    expect(deployed.map((n) => n.channel)).toEqual(['platform']);
    const failed = deployNotifications(
      request,
      deployFailedPayload(request, { error: 'ARM answered 409 Conflict', attempts: 1, poisoned: false }),
    );
    expect(failed.map((n) => [n.channel, n.dedupeKey])).toEqual([
      ['platform', `${event.dedupeKey}:deploy:payments-aca`],
      ['oncall', `${event.dedupeKey}:deploy:payments-aca`],
    ]);
    expect(failed[0]?.payload).toMatchObject({ kind: 'failed', action: 'deploy', target: 'payments-aca' });
  });

  it('keys two targets of one push apart', () => {
    expect(deployOutcomeKey({ dedupeKey: 'k', target: 'a' })).not.toBe(
      deployOutcomeKey({ dedupeKey: 'k', target: 'b' }),
    );
  });

  it('cuts a very long error', () => {
    const payload = deployFailedPayload(request, { error: 'x'.repeat(10_000), attempts: 3, poisoned: true });
    expect(payload.error).toHaveLength(4_000);
  });
});

describe('deployRequestsAfterPin', () => {
  const pin: PinRequest = {
    type: 'pin',
    dedupeKey: event.dedupeKey,
    correlationId: event.id,
    event,
    rule: { index: 0 },
    notify: [],
    repo: 'fleet',
    paths: ['apps/**'],
    mode: 'pin',
    render: 'tag-and-digest',
    then: [
      { target: 'web', rule: { index: 0 }, notify: [] },
      {
        target: 'api',
        rule: { index: 2, name: 'api' },
        notify: [{ channel: 'platform', kinds: ['deployed'] }],
      },
    ],
  };

  it('builds one deploy request per planned target, with the landed commit', () => {
    const landed = {
      result: 'pull-request' as const,
      commit: 'abc123',
      pullRequestUrl: 'https://github.com/contoso/fleet/pull/7',
    };
    expect(deployRequestsAfterPin(pin, landed)).toEqual([
      {
        type: 'deploy',
        dedupeKey: event.dedupeKey,
        correlationId: event.id,
        event,
        rule: { index: 0 },
        notify: [],
        target: 'web',
        after: 'pin',
        pin: { repo: 'fleet', ...landed },
      },
      expect.objectContaining({
        target: 'api',
        rule: { index: 2, name: 'api' },
        notify: [{ channel: 'platform', kinds: ['deployed'] }],
      }),
    ]);
  });

  it('gives none for a pin that plans none', () => {
    const { then: _then, ...plain } = pin;
    expect(deployRequestsAfterPin(plain, { result: 'no-change' })).toEqual([]);
  });
});
