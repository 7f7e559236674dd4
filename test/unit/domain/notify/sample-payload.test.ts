import { describe, expect, it } from 'vitest';
import { validateTeamsMessage } from '../../../../shared/adapters/teams/validate-card';
import { configSchema, notifyKinds } from '../../../../shared/domain/config/schema';
import { buildTeamsMessage } from '../../../../shared/domain/cards/build-teams-message';
import { notificationPayloadSchema } from '../../../../shared/domain/messages/action-messages';
import { eventKind, samplePayload } from '../../../../shared/domain/notify/sample-payload';
import { push } from '../../../helpers/notify-fakes';

const config = configSchema.parse({
  gitops: { fleet: { url: 'https://github.com/contoso/fleet.git', mode: 'pull-request' } },
  deployTargets: {
    web: { type: 'github-workflow', repo: 'contoso/web', workflow: 'deploy.yml', tokenFrom: 'GH_TOKEN' },
  },
});

describe('samplePayload', () => {
  it.each(notifyKinds)('builds a valid %s payload whose card validates', (kind) => {
    const { payload, sample } = samplePayload(kind, push('1.0.0'), config);
    expect(payload.kind).toBe(kind);
    expect(sample).toBe(kind !== 'pushed' && kind !== 'deleted');
    expect(notificationPayloadSchema.parse(payload)).toEqual(payload);
    expect(validateTeamsMessage(buildTeamsMessage(payload, { mode: 'envelope' }), 'envelope')).toEqual([]);
  });

  it('uses the names from the config', () => {
    const pinned = samplePayload('pinned', push('1.0.0'), config).payload;
    expect(pinned).toMatchObject({
      repo: 'fleet',
      result: 'pull-request',
      pullRequestUrl: 'https://github.com/contoso/fleet/pull/1',
      files: [{ after: `contoso.azurecr.io/payments/api:1.0.0@${push('1.0.0').digest}` }],
    });
    const deployed = samplePayload('deployed', push('1.0.0'), config).payload;
    expect(deployed).toMatchObject({ target: 'web', targetType: 'github-workflow' });
  });

  it('falls back to plausible names without a config', () => {
    const empty = configSchema.parse({});
    expect(samplePayload('pinned', push('1.0.0'), empty).payload).toMatchObject({
      repo: 'fleet',
      result: 'committed',
    });
    expect(samplePayload('retention', push('1.0.0'), empty).payload).toMatchObject({ dryRun: true });
  });

  it('names the kind of card an event produces', () => {
    expect(eventKind(push('1', 'a', 'chart_push'))).toBe('pushed');
    expect(eventKind(push('1', 'a', 'delete'))).toBe('deleted');
  });
});
