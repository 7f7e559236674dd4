import { describe, expect, it } from 'vitest';
import { assembleTrace } from '../../../../shared/domain/trace/assemble-trace';
import type { VerdictOutcome } from '../../../../shared/domain/trace/deploy-verdict';
import { formatTrace } from '../../../../shared/domain/trace/format-trace';
import type { AttemptRecord, IngressFacts } from '../../../../shared/domain/trace/trace-records';
import { attemptOf, ingressFactsOf, recordsOf, tracedKey } from '../../../helpers/trace-records';

const pinThenDeploy: Partial<IngressFacts> = {
  planned: [
    { action: 'pin', target: 'fleet' },
    { action: 'deploy', target: 'web', after: 'pin' },
  ],
};
const deployWeb: Partial<IngressFacts> = { planned: [{ action: 'deploy', target: 'web' }] };
const deployTwo: Partial<IngressFacts> = {
  planned: [
    { action: 'deploy', target: 'web' },
    { action: 'deploy', target: 'hook' },
  ],
};
const runUrl = 'https://github.com/contoso/web/actions/runs/42';
const deployed = (target = 'web', seconds = 2) =>
  attemptOf(
    {
      action: 'deploy',
      target,
      result: 'done',
      summary: { kind: 'deployed', text: `triggered github-workflow: run ${runUrl}`, links: { runUrl } },
    },
    seconds,
  );
const pinned = attemptOf({
  action: 'pin',
  target: 'fleet',
  result: 'done',
  summary: { kind: 'committed', text: 'committed 0a1b2c3d4e5f (1 file(s)); queued deploy to web' },
});

const cases: {
  name: string;
  facts?: Partial<IngressFacts> | undefined;
  attempts?: AttemptRecord[];
  outcome: VerdictOutcome;
  headline: RegExp;
  reason?: RegExp;
}[] = [
  {
    name: 'no rule matched: each rule with the part of match it failed',
    facts: {
      rules: [
        {
          index: 0,
          name: 'web',
          matched: false,
          reason: 'repository "payments/api" does not match match.repository "web/*"',
        },
        { index: 1, matched: false, reason: 'tag "1.4.2-rc1" does not match match.tag "semver:>=1.0.0"' },
      ],
    },
    outcome: 'not-deployed',
    headline: /^not deployed: no rule matched$/,
    reason: /^rules\[1\]: tag "1\.4\.2-rc1" does not match match\.tag "semver:>=1\.0\.0"$/,
  },
  {
    name: 'a delete never deploys',
    facts: {
      image: { ...ingressFactsOf().image, action: 'delete' },
      notes: ['rule "payments": delete events do not trigger deployments'],
    },
    outcome: 'not-deployed',
    headline: /^not deployed: delete events never deploy$/,
  },
  {
    name: 'the matching rule pins but deploys nowhere',
    facts: { planned: [{ action: 'pin', target: 'fleet' }] },
    attempts: [pinned],
    outcome: 'not-deployed',
    headline: /rule "payments" matched, but no deployment was planned/,
    reason: /name no deploy target; add deploy: \[<target>\]/,
  },
  {
    name: 'a deploy after pin whose rule has no pin: the note says so',
    facts: { notes: ['rule "payments": deploy target "web" waits for a pin, but the rule has none'] },
    outcome: 'not-deployed',
    headline: /no deployment was planned/,
    reason: /waits for a pin, but the rule has none/,
  },
  {
    name: 'deployed, with the run',
    facts: deployWeb,
    attempts: [deployed()],
    outcome: 'deployed',
    headline: /^deployed to "web"$/,
    reason: new RegExp(`run ${runUrl}`),
  },
  {
    name: 'a redelivered request finds the target already triggered',
    facts: deployWeb,
    attempts: [
      attemptOf({
        action: 'deploy',
        target: 'web',
        result: 'done',
        summary: { kind: 'duplicate', text: 'already triggered for this event' },
      }),
    ],
    outcome: 'deployed',
    headline: /^deployed to "web"$/,
    reason: /already triggered/,
  },
  {
    name: 'the deploy was parked: its error and the replay command',
    facts: deployWeb,
    attempts: [
      attemptOf(
        { action: 'deploy', target: 'web', result: 'retrying', reason: 'HTTP 503', delayMs: 1000 },
        1,
      ),
      attemptOf(
        {
          action: 'deploy',
          target: 'web',
          attempt: 2,
          result: 'parked',
          reason: 'HTTP 401: bad credentials',
        },
        3,
      ),
    ],
    outcome: 'not-deployed',
    headline: /^not deployed: "web" failed for good after 2 attempt\(s\): HTTP 401: bad credentials/,
    reason: new RegExp(`acr-autopilot poison requeue deploy-requests --id ${tracedKey}`),
  },
  {
    name: 'the deploy is retrying',
    facts: deployWeb,
    attempts: [
      attemptOf({ action: 'deploy', target: 'web', result: 'retrying', reason: 'HTTP 503', delayMs: 30_000 }),
    ],
    outcome: 'pending',
    headline: /^not deployed yet: "web" pending$/,
    reason: /failed on attempt 1 \(HTTP 503\); retrying/,
  },
  {
    name: 'the deploy waits for replica regions',
    facts: deployWeb,
    attempts: [
      attemptOf({
        action: 'deploy',
        target: 'web',
        result: 'deferred',
        reason: 'waiting for the image to reach eastus',
        delayMs: 10_000,
      }),
    ],
    outcome: 'pending',
    headline: /pending/,
    reason: /is waiting: waiting for the image to reach eastus/,
  },
  {
    name: 'queued, never run',
    facts: deployWeb,
    attempts: [attemptOf({ action: 'fan-out', result: 'done' })],
    outcome: 'pending',
    headline: /pending/,
    reason: /is queued and has not run yet/,
  },
  {
    name: 'the fan-out was parked: nothing reached deploy-requests',
    facts: deployWeb,
    attempts: [
      attemptOf({ action: 'fan-out', result: 'parked', attempt: 5, reason: 'queue storage is down' }),
    ],
    outcome: 'not-deployed',
    headline: /was never queued: the fan-out failed: queue storage is down/,
  },
  {
    name: 'one target deployed, the other parked',
    facts: deployTwo,
    attempts: [
      deployed('web'),
      attemptOf({ action: 'deploy', target: 'hook', result: 'parked', reason: 'HTTP 404' }, 3),
    ],
    outcome: 'partly-deployed',
    headline: /^deployed to "web"; not \(yet\) to "hook"$/,
  },
  {
    name: 'deploy after pin: the pin was parked',
    facts: pinThenDeploy,
    attempts: [
      attemptOf({
        action: 'pin',
        target: 'fleet',
        attempt: 8,
        result: 'parked',
        reason: 'the git host is down',
      }),
    ],
    outcome: 'not-deployed',
    headline:
      /"web" deploys after the pin, and the pin failed for good: the git host is down; replay with acr-autopilot poison requeue pin-requests/,
  },
  {
    name: 'deploy after pin: the pin was skipped (digest-only push)',
    facts: pinThenDeploy,
    attempts: [
      attemptOf({
        action: 'pin',
        target: 'fleet',
        result: 'done',
        summary: { kind: 'skipped', text: 'skipped: a digest-only push does not say which tag moved' },
      }),
    ],
    outcome: 'not-deployed',
    headline: /the pin was skipped: a digest-only push/,
  },
  {
    name: 'deploy after pin: the pin is retrying',
    facts: pinThenDeploy,
    attempts: [
      attemptOf({ action: 'pin', target: 'fleet', result: 'retrying', reason: 'HTTP 503', delayMs: 1000 }),
    ],
    outcome: 'pending',
    headline: /pending/,
    reason: /deploys after the pin, which is not done yet \(HTTP 503\)/,
  },
  {
    name: 'deploy after pin: pinned, deployment not run yet',
    facts: pinThenDeploy,
    attempts: [pinned],
    outcome: 'pending',
    headline: /pending/,
    reason: /the pin queued it \(committed 0a1b2c3d4e5f/,
  },
  {
    name: 'deploy after pin: pinned and deployed',
    facts: pinThenDeploy,
    attempts: [pinned, deployed('web', 3)],
    outcome: 'deployed',
    headline: /^deployed to "web"$/,
  },
  {
    name: 'no ingress facts (an older claim), but a deploy attempt',
    facts: undefined,
    attempts: [deployed()],
    outcome: 'deployed',
    headline: /^deployed to "web"$/,
  },
];

describe('assembleTrace verdict', () => {
  it.each(cases)('$name', ({ facts, attempts = [], outcome, headline, reason }) => {
    const trace = assembleTrace(recordsOf(facts === undefined ? undefined : ingressFactsOf(facts), attempts));
    expect(trace.verdict.outcome).toBe(outcome);
    expect(trace.verdict.headline).toMatch(headline);
    if (reason)
      expect(
        trace.verdict.reasons.some((line) => reason.test(line)),
        trace.verdict.reasons.join('\n'),
      ).toBe(true);
  });

  it('names the replay command of a parked action, in the JSON and the text', () => {
    const trace = assembleTrace(
      recordsOf(ingressFactsOf(deployWeb), [
        attemptOf({ action: 'deploy', target: 'web', attempt: 3, result: 'parked', reason: 'HTTP 500' }),
      ]),
    );
    const replay = `acr-autopilot poison requeue deploy-requests --id ${tracedKey}`;
    expect(trace.actions[0]).toMatchObject({ status: 'parked', attempts: 3, reason: 'HTTP 500', replay });
    expect(formatTrace(trace)).toMatch(
      new RegExp(`\\n {2}deploy → web +parked \\(3 attempt\\(s\\)\\) +HTTP 500  replay: ${replay}\\n`),
    );
  });

  it('says nothing is recorded when nothing is', () => {
    expect(assembleTrace(recordsOf(undefined)).verdict).toEqual({
      outcome: 'unknown',
      headline: 'nothing is recorded for this push',
      reasons: [],
    });
  });
});

describe('assembleTrace', () => {
  const facts = ingressFactsOf({
    region: 'westeurope',
    planned: [
      { action: 'pin', target: 'fleet' },
      { action: 'deploy', target: 'web', after: 'pin' },
      { action: 'notify', target: 'platform (pushed card)' },
    ],
  });
  const duplicate = (via: IngressFacts['via'], region: string, second: number) => ({
    ...facts,
    via,
    region,
    receivedAt: `2026-12-01T10:00:0${second}.000Z`,
    dedupeKey: tracedKey,
    result: 'duplicate' as const,
  });
  const trace = assembleTrace(
    recordsOf(
      facts,
      [
        deployed('web', 9),
        attemptOf(
          { action: 'pin', target: 'fleet', result: 'retrying', reason: 'HTTP 503', delayMs: 1000 },
          2,
        ),
        { ...pinned, attempt: 2, at: '2026-12-01T10:00:04.000Z' },
      ],
      [duplicate('event-grid-trigger', 'northeurope', 5), duplicate('acr-webhook', 'eastus', 3)],
    ),
  );

  it('lists every delivery in time order, its regions and the duplicates dropped', () => {
    expect(trace.deliveries.map((delivery) => [delivery.via, delivery.region, delivery.result])).toEqual([
      ['acr-webhook', 'westeurope', 'queued'],
      ['acr-webhook', 'eastus', 'duplicate'],
      ['event-grid-trigger', 'northeurope', 'duplicate'],
    ]);
    expect(trace.regions).toEqual(['westeurope', 'eastus', 'northeurope']);
    expect(trace.duplicatesDropped).toBe(2);
  });

  it('groups attempts per action with retries, and shows planned actions that never ran', () => {
    expect(
      trace.actions.map(({ action, target, status, attempts, retries, after }) => ({
        action,
        target,
        status,
        attempts,
        retries,
        after,
      })),
    ).toEqual([
      { action: 'pin', target: 'fleet', status: 'done', attempts: 2, retries: 1, after: undefined },
      { action: 'deploy', target: 'web', status: 'done', attempts: 1, retries: 0, after: 'pin' },
      {
        action: 'notify',
        target: 'platform (pushed card)',
        status: 'not-run',
        attempts: 0,
        retries: 0,
        after: undefined,
      },
    ]);
    expect(trace.actions[0]?.summary?.text).toMatch(/^committed 0a1b2c3d4e5f/);
  });

  it('puts deliveries and attempts on one timeline', () => {
    expect(trace.timeline.map((entry) => entry.text)).toEqual([
      'received from ACR webhook (westeurope), event e1: queued 3 action(s) from rule "payments"',
      expect.stringMatching(/^pin of .* attempt 1 failed: HTTP 503; retrying in 1 s$/),
      'received from ACR webhook (eastus), event e1: duplicate, dropped',
      expect.stringMatching(/^pin of .* attempt 2 done: committed 0a1b2c3d4e5f/),
      'received from Event Grid trigger (northeurope), event e1: duplicate, dropped',
      expect.stringMatching(/^deploy of .* to "web": attempt 1 done: triggered github-workflow/),
    ]);
  });

  it('prints the verdict first, then deliveries, rules, actions and the timeline', () => {
    const text = formatTrace(trace);
    expect(text.split('\n').slice(0, 3)).toEqual([
      `push contoso.azurecr.io/payments/api:1.4.2@sha256:4f1a8c0e3b2d  (dedupe key ${tracedKey})`,
      'verdict: deployed to "web"',
      `  - "web": triggered github-workflow: run ${runUrl}`,
    ]);
    expect(text).toMatch(
      /\nreceived\n {2}2026-12-01T10:00:00\.000Z {2}ACR webhook \(westeurope\), event e1: queued\n/,
    );
    expect(text).toContain('  2 duplicate(s) dropped\n');
    expect(text).toMatch(/\nrules\n {2}matched {3}rule "payments"\n/);
    expect(text).toMatch(/\n {2}pin → fleet +done \(2 attempt\(s\), 1 retried\) +committed 0a1b2c3d4e5f/);
    expect(text).toMatch(/\n {2}notify → platform \(pushed card\) +not run yet\n/);
    expect(text).toMatch(/\ntimeline\n/);
  });
});
