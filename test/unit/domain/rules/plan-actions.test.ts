import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../../shared/config/load-config';
import type { ImageEvent } from '../../../../shared/domain/events/image-event';
import { pinRequestSchema } from '../../../../shared/domain/messages/action-messages';
import { planActions } from '../../../../shared/domain/rules/plan-actions';
import { sampleEvent } from '../../../helpers/sample-event';

const config = parseConfig(`
gitops:
  fleet: { url: https://github.com/contoso/fleet.git, tokenFrom: GITOPS_TOKEN }
teams:
  platform: { urlFrom: TEAMS_PLATFORM }
  security: { urlFrom: TEAMS_SECURITY }
deployTargets:
  payments-prod: { type: github-workflow, repo: contoso/payments, workflow: deploy.yml, tokenFrom: GH_TOKEN }
rules:
  - name: payments
    match: { registry: 'contoso.azurecr.io', repository: 'payments/*', tag: 'semver:>=1.0.0' }
    pin: { repo: fleet, paths: ['apps/payments/**'] }
    deploy: [payments-prod]
    notify: [platform]
  - name: everything to security, deletes included
    match: { repository: '**', actions: [push, delete] }
    notify: [{ channel: security, kinds: [pushed, deleted] }, platform]
  - name: same pin again
    match: { repository: 'payments/api' }
    pin: { repo: fleet, paths: ['apps/payments/**'] }
`);

const event = (overrides: Partial<ImageEvent>): ImageEvent =>
  sampleEvent({ digest: 'sha256:aaaa', ...overrides });

const summary = (e: ImageEvent) =>
  planActions(e, config).messages.map((m) =>
    m.type === 'pin'
      ? `pin:${m.repo}`
      : m.type === 'deploy'
        ? `deploy:${m.target}`
        : m.type === 'retention'
          ? `retention:${m.registry}:${m.repository}`
          : `notify:${m.channel}:${m.payload.kind}`,
  );

describe('planActions', () => {
  it.each<[string, Partial<ImageEvent>, string[]]>([
    [
      'a release push',
      {},
      ['pin:fleet', 'deploy:payments-prod', 'notify:platform:pushed', 'notify:security:pushed'],
    ],
    [
      'a pre-release (semver range excludes it)',
      { tag: '1.5.0-rc.1' },
      ['notify:security:pushed', 'notify:platform:pushed', 'pin:fleet'],
    ],
    [
      'another registry',
      { registry: 'other.azurecr.io' },
      ['notify:security:pushed', 'notify:platform:pushed', 'pin:fleet'],
    ],
    ['another repository', { repository: 'web/site' }, ['notify:security:pushed', 'notify:platform:pushed']],
    [
      'a digest-only push (no tag)',
      { tag: undefined },
      ['notify:security:pushed', 'notify:platform:pushed', 'pin:fleet'],
    ],
    ['a delete', { action: 'delete', tag: undefined }, ['notify:security:deleted']],
    ['a chart push (rules default to push only)', { action: 'chart_push' }, []],
  ])('%s', (_name, overrides, expected) => {
    expect(summary(event(overrides))).toEqual(expected);
  });

  it('queues the same pin, deployment or channel once even when several rules ask', () => {
    const plan = planActions(event({}), config);
    expect(plan.matchedRules).toEqual([0, 1, 2]);
    expect(plan.messages.filter((m) => m.type === 'pin')).toHaveLength(1);
  });

  it('carries the dedupe key, the correlation id and where to report outcomes', () => {
    const [pin] = planActions(event({}), config).messages;
    expect(pin).toMatchObject({
      type: 'pin',
      dedupeKey: '0123456789abcdef0123456789abcdef',
      correlationId: 'e1',
      rule: { index: 0, name: 'payments' },
      tagPattern: 'semver:>=1.0.0',
      mode: 'pin',
      render: 'tag-and-digest',
      notify: [{ channel: 'platform', kinds: ['pushed', 'pinned', 'deployed', 'retention', 'failed'] }],
    });
  });

  it('explains why a matching rule did less than it asks for', () => {
    const deleteEverything = parseConfig(`
gitops: { fleet: { url: https://example.com/f.git } }
rules: [{ match: { actions: [delete] }, pin: { repo: fleet } }]
`);
    const plan = planActions(event({ action: 'delete' }), deleteEverything);
    expect(plan.messages).toEqual([]);
    expect(plan.notes).toEqual(['rules[0]: delete events are not pinned']);
  });

  it('matches registries case-insensitively', () => {
    expect(summary(event({ registry: 'contoso.azurecr.io' }))).toContain('pin:fleet');
    const upper = parseConfig(`rules: [{ match: { registry: 'CONTOSO.azurecr.io' }, notify: [] }]`);
    expect(planActions(event({}), upper).matchedRules).toEqual([0]);
  });
});

describe('planActions with deploy after pin', () => {
  const afterPin = parseConfig(`
gitops:
  fleet: { url: https://github.com/contoso/fleet.git, tokenFrom: GITOPS_TOKEN }
teams:
  platform: { urlFrom: TEAMS_PLATFORM }
deployTargets:
  web: { type: github-workflow, repo: contoso/web, workflow: deploy.yml, tokenFrom: GH_TOKEN, inputs: { sha: '{{commit}}' } }
  argo: { type: argocd, server: https://argocd.contoso.com, application: payments, tokenFrom: ARGO }
  hook: { type: webhook, url: https://hooks.contoso.com/acr }
rules:
  - name: payments
    match: { repository: 'payments/*' }
    pin: { repo: fleet, paths: ['apps/payments/**'] }
    deploy: { targets: [web, argo], after: pin }
    notify: [platform]
  - name: same pin, direct hook
    match: { repository: 'payments/api' }
    pin: { repo: fleet, paths: ['apps/payments/**'] }
    deploy: [hook]
  - name: same pin, argo again and the hook after the pin
    match: { repository: '**' }
    pin: { repo: fleet, paths: ['apps/payments/**'] }
    deploy: { targets: [argo, hook], after: pin }
`);

  it('puts no deploy message on the queue and hands the targets to the pin instead', () => {
    const plan = planActions(event({ repository: 'payments/worker' }), afterPin);
    expect(plan.messages.map((m) => m.type)).toEqual(['pin', 'notify']);
    const [pin] = plan.messages;
    expect(pin).toMatchObject({
      type: 'pin',
      repo: 'fleet',
      then: [
        { target: 'web', rule: { index: 0, name: 'payments' }, notify: [{ channel: 'platform' }] },
        { target: 'argo', rule: { index: 0, name: 'payments' }, notify: [{ channel: 'platform' }] },
        { target: 'hook', rule: { index: 2 }, notify: [] },
      ],
    });
    expect(() => pinRequestSchema.parse(pin)).not.toThrow();
  });

  it('adds the after-pin targets of later rules to the shared pin, once per target', () => {
    const plan = planActions(event({ repository: 'payments/api' }), afterPin);
    expect(plan.messages.map((m) => (m.type === 'deploy' ? `deploy:${m.target}` : m.type))).toEqual([
      'pin',
      'notify',
      'deploy:hook',
    ]);
    const pin = plan.messages.find((m) => m.type === 'pin');
    expect(pin?.type === 'pin' ? pin.then?.map((t) => `${t.target}@${t.rule.index}`) : []).toEqual([
      'web@0',
      'argo@0',
    ]);
  });

  it('keeps an after-pin target of its own rule when no earlier rule deploys it', () => {
    const plan = planActions(event({ repository: 'web/site' }), afterPin);
    const [pin] = plan.messages;
    expect(pin?.type === 'pin' ? pin.then : undefined).toEqual([
      {
        target: 'argo',
        rule: { index: 2, name: 'same pin, argo again and the hook after the pin' },
        notify: [],
      },
      {
        target: 'hook',
        rule: { index: 2, name: 'same pin, argo again and the hook after the pin' },
        notify: [],
      },
    ]);
  });

  it('plans no pin and no deployment for a delete', () => {
    const plan = planActions(
      event({ action: 'delete', repository: 'payments/worker' }),
      parseConfig(`
gitops: { fleet: { url: https://github.com/contoso/fleet.git } }
deployTargets: { web: { type: webhook, url: https://hooks.contoso.com/acr } }
rules: [{ match: { actions: [delete] }, pin: { repo: fleet }, deploy: { targets: [web], after: pin } }]
`),
    );
    expect(plan.messages).toEqual([]);
    expect(plan.notes).toEqual([
      'rules[0]: delete events are not pinned',
      'rules[0]: delete events do not trigger deployments',
    ]);
  });
});
