import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../../shared/config/load-config';
import { queueFor } from '../../../../shared/domain/messages/action-messages';
import { planActions } from '../../../../shared/domain/rules/plan-actions';
import { sampleEvent } from '../../../helpers/sample-event';

const config = parseConfig(`
teams:
  platform: { urlFrom: TEAMS_URL }
registryAliases:
  contoso.azurecr.io: [images.contoso.com]
rules:
  - name: web
    match: { repository: 'team-a/*', actions: [push, delete] }
    retain: true
    notify: [platform]
  - name: lab
    match: { registry: '127.0.0.1:*' }
    retain: true
retention:
  registries:
    - { name: prod, type: acr, loginServer: contoso.azurecr.io }
  policies:
    - repositories: ['team-b/**']
      keep: { newest: 5 }
      onPush: true
    - repositories: ['**']
      keep: { newest: 50 }
`);

describe('push-triggered retention requests', () => {
  it('a rule with retain: true asks for a run of the pushed repository, with its notify routes', () => {
    const event = sampleEvent({ registry: 'images.contoso.com', repository: 'team-a/web' });
    const plan = planActions(event, config);
    const retention = plan.messages.filter((m) => m.type === 'retention');
    expect(retention).toEqual([
      {
        type: 'retention',
        dedupeKey: event.dedupeKey,
        correlationId: event.id,
        event,
        registry: 'prod',
        repository: 'team-a/web',
        rule: { index: 0, name: 'web' },
        notify: [{ channel: 'platform', kinds: ['pushed', 'pinned', 'deployed', 'retention', 'failed'] }],
      },
    ]);
    expect(queueFor(retention[0] as (typeof plan.messages)[number])).toBe('retention-requests');
  });

  it('a policy with onPush: true asks without a rule', () => {
    const plan = planActions(sampleEvent({ repository: 'team-b/api' }), config);
    expect(plan.messages.map((m) => m.type)).toEqual(['retention']);
    expect(plan.messages[0]).not.toHaveProperty('rule');
  });

  it('says why a retain rule asks for nothing (a delete, or a registry retention does not know)', () => {
    const deleted = planActions(sampleEvent({ action: 'delete', repository: 'team-a/web' }), config);
    expect(deleted.messages.filter((m) => m.type === 'retention')).toEqual([]);
    expect(deleted.notes).toContain('rule "web": delete events do not trigger retention');
    const unknown = planActions(sampleEvent({ registry: '127.0.0.1:5000', repository: 'x/y' }), config);
    expect(unknown.messages).toEqual([]);
    expect(unknown.notes).toEqual([
      'rule "lab": retain: true, but no retention registry has the login server "127.0.0.1:5000"; add it to retention.registries',
    ]);
  });

  it('a pushed repository no onPush policy and no retain rule covers asks for nothing', () => {
    expect(planActions(sampleEvent({ repository: 'team-c/x' }), config).messages).toEqual([]);
  });

  it('needs retention registries for retain: true, and known channels for retention.notify', () => {
    expect(() =>
      parseConfig(`
rules: [{ match: { repository: x }, retain: true }]
retention: { notify: [ops] }
`),
    ).toThrow(
      /rules\[0\]\.retain: retain: true needs retention\.registries[\s\S]*retention\.notify\[0\]: unknown Teams channel "ops"/,
    );
  });
});

describe('push-triggered retention requests and retention.notify', () => {
  it('carry retention.notify, so a parked request still reports there', async () => {
    const withNotify = parseConfig(`
teams:
  platform: { urlFrom: TEAMS_URL }
  ops: { urlFrom: OPS_URL }
rules:
  - match: { repository: 'team-a/*' }
    retain: true
    notify: [{ channel: platform, kinds: [pushed] }]
retention:
  notify: [ops, platform]
  registries: [{ name: prod, type: acr, loginServer: contoso.azurecr.io }]
`);
    const [request] = planActions(sampleEvent({ repository: 'team-a/web' }), withNotify).messages.filter(
      (m) => m.type === 'retention',
    );
    expect(request?.type === 'retention' && request.notify).toEqual([
      { channel: 'platform', kinds: ['pushed', 'retention', 'failed'] },
      { channel: 'ops', kinds: ['retention', 'failed'] },
    ]);
  });
});
