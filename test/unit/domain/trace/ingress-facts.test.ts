import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../../shared/config/load-config';
import type { ImageEvent } from '../../../../shared/domain/events/image-event';
import { ingestEvent, type IngestDeps } from '../../../../shared/domain/ingest/ingest-event';
import type { DedupeStore } from '../../../../shared/domain/ports';
import { planActions } from '../../../../shared/domain/rules/plan-actions';
import { ingressFactsFrom } from '../../../../shared/domain/trace/trace-records';
import { captureLogger, memoryDedupe, memoryQueue } from '../../../helpers/fakes';
import { sampleEvent } from '../../../helpers/sample-event';
import { memoryTrace } from '../../../helpers/trace-records';

const config = parseConfig(`
gitops: { fleet: { url: https://github.com/contoso/fleet.git } }
teams: { platform: { urlFrom: TEAMS } }
deployTargets:
  web: { type: webhook, url: https://deploy.example.com/hook }
rules:
  - name: payments
    match: { repository: 'payments/*', tag: 'semver:>=1.0.0' }
    pin: { repo: fleet }
    deploy: { targets: [web], after: pin }
    notify: [platform]
  - match: { registry: 'other.azurecr.io', repository: '**' }
    notify: [platform]
  - match: { repository: '**', actions: [delete] }
    notify: [platform]
`);

describe('planActions: why a rule did not match', () => {
  it.each<[string, Partial<ImageEvent>, string[]]>([
    [
      'a push matching rule 0',
      {},
      [
        'rules[1]: registry "contoso.azurecr.io" does not match match.registry "other.azurecr.io"',
        'rules[2]: push is not in match.actions [delete]',
      ],
    ],
    [
      'a tag below the semver range',
      { tag: '0.9.0' },
      [
        'rule "payments": tag "0.9.0" does not match match.tag "semver:>=1.0.0"',
        'rules[1]: registry "contoso.azurecr.io" does not match match.registry "other.azurecr.io"',
        'rules[2]: push is not in match.actions [delete]',
      ],
    ],
    [
      'a digest-only push against a tag rule',
      { tag: undefined },
      [
        'rule "payments": the event has no tag, and match.tag is "semver:>=1.0.0"',
        'rules[1]: registry "contoso.azurecr.io" does not match match.registry "other.azurecr.io"',
        'rules[2]: push is not in match.actions [delete]',
      ],
    ],
    [
      'another repository',
      { repository: 'web/site' },
      [
        'rule "payments": repository "web/site" does not match match.repository "payments/*"',
        'rules[1]: registry "contoso.azurecr.io" does not match match.registry "other.azurecr.io"',
        'rules[2]: push is not in match.actions [delete]',
      ],
    ],
  ])('%s', (_name, overrides, expected) => {
    const plan = planActions(sampleEvent(overrides), config);
    expect(
      plan.unmatched.map(
        (rule) => `${rule.name ? `rule "${rule.name}"` : `rules[${rule.index}]`}: ${rule.reason}`,
      ),
    ).toEqual(expected);
  });
});

function harness(options: { trace?: ReturnType<typeof memoryTrace> | undefined } = {}) {
  const base = memoryDedupe();
  const records: (Readonly<Record<string, string>> | undefined)[] = [];
  const dedupe: DedupeStore = {
    ...base,
    claim: (scope, key, claimOptions) => {
      records.push(claimOptions.record);
      return base.claim(scope, key, claimOptions);
    },
  };
  const log = captureLogger();
  const queue = memoryQueue();
  const deps: IngestDeps = {
    config,
    dedupe,
    queue,
    log,
    clock: () => new Date('2026-12-01T10:00:00.000Z'),
    ...(options.trace ? { trace: options.trace } : {}),
  };
  return { deps, records, log, queue };
}

describe('ingestEvent with a trace recorder', () => {
  it('stores the ingress facts in the dedupe claim itself, and writes nothing else', async () => {
    const trace = memoryTrace();
    const { deps, records } = harness({ trace });

    await ingestEvent(deps, sampleEvent(), { via: 'acr-webhook', region: 'westeurope' });

    expect(records).toHaveLength(1);
    const facts = ingressFactsFrom(records[0] ?? {});
    expect(facts).toMatchObject({
      via: 'acr-webhook',
      eventId: 'e1',
      region: 'westeurope',
      receivedAt: '2026-12-01T10:00:00.000Z',
      image: { repository: 'payments/api', tag: '1.4.2', action: 'push' },
      planned: [
        { action: 'pin', target: 'fleet' },
        { action: 'deploy', target: 'web', after: 'pin' },
        { action: 'notify', target: 'platform (pushed card)' },
      ],
    });
    expect(facts?.rules.map((rule) => rule.matched)).toEqual([true, false, false]);
    expect(trace.receivedRows).toEqual([]);
  });

  it('records each duplicate delivery with where it came from', async () => {
    const trace = memoryTrace();
    const { deps } = harness({ trace });
    await ingestEvent(deps, sampleEvent(), { via: 'acr-webhook', region: 'westeurope' });
    await ingestEvent(deps, sampleEvent({ id: 'eg-1', source: 'event-grid' }), { via: 'event-grid-trigger' });

    expect(trace.receivedRows).toEqual([
      expect.objectContaining({ result: 'duplicate', via: 'event-grid-trigger', eventId: 'eg-1' }),
    ]);
  });

  it('records an event that planned nothing, with each rule’s reason', async () => {
    const trace = memoryTrace();
    const { deps, queue } = harness({ trace });

    await ingestEvent(deps, sampleEvent({ tag: '0.1.0' }), { via: 'event-grid-http' });

    expect(queue.sent).toEqual([]);
    expect(trace.receivedRows).toHaveLength(1);
    expect(trace.receivedRows[0]).toMatchObject({
      result: 'nothing-planned',
      via: 'event-grid-http',
      rules: [
        { index: 0, name: 'payments', matched: false, reason: expect.stringMatching(/^tag "0\.1\.0"/) },
        { index: 1, matched: false },
        { index: 2, matched: false },
      ],
      planned: [],
    });
  });

  it('takes the event source when the delivery does not say how it came', async () => {
    const trace = memoryTrace();
    const { deps } = harness({ trace });
    await ingestEvent(deps, sampleEvent({ tag: '0.1.0', source: 'event-grid' }));
    expect(trace.receivedRows[0]?.via).toBe('event-grid');
  });

  it('never fails a delivery because a trace record could not be written', async () => {
    const trace = memoryTrace({ failing: true });
    const { deps, log, queue } = harness({ trace });

    await expect(ingestEvent(deps, sampleEvent({ tag: '0.1.0' }))).resolves.toMatchObject({ actions: 0 });
    await ingestEvent(deps, sampleEvent());
    await expect(ingestEvent(deps, sampleEvent())).resolves.toMatchObject({ duplicate: true });

    expect(queue.sent).toHaveLength(1);
    expect(log.lines.filter((line) => line.level === 'warn').map((line) => line.message)).toEqual([
      expect.stringMatching(
        /^could not write the trace record of 0123456789abcdef0123456789abcdef \(nothing-planned\): Error: the table is down/,
      ),
      expect.stringMatching(/\(duplicate\): Error: the table is down/),
    ]);
  });

  it('adds nothing to the claim without a trace recorder', async () => {
    const { deps, records } = harness();
    await ingestEvent(deps, sampleEvent());
    expect(records).toEqual([undefined]);
  });
});
