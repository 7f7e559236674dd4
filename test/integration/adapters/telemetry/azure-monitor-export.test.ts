import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpRequest, InvocationContext } from '@azure/functions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acrWebhook } from '../../../../functions/acr-webhook';
import { fanOutActions } from '../../../../functions/fan-out-actions';
import { notifyTeams } from '../../../../functions/notify-teams';
import { timedIngress } from '../../../../shared/adapters/telemetry/timed-ingress';
import type { ImageEvent } from '../../../../shared/domain/events/image-event';
import type { Notification } from '../../../../shared/domain/messages/action-messages';
import { runRetention } from '../../../../shared/domain/retention/run-retention';
import type { AzuriteHandle } from '../../../../shared/local-host/azurite';
import { runtimeMetrics, type Runtime } from '../../../../shared/runtime/composition-root';
import { startIngestionServer, type IngestionServer } from '../../../helpers/app-insights-ingestion';
import { peekAll, queueLength, startTestAzurite } from '../../../helpers/azurite';
import { startFakeTeamsServer, type FakeTeamsServer } from '../../../helpers/fake-teams-server';
import { loadFixture } from '../../../helpers/fixtures';
import { memoryRegistry } from '../../../helpers/memory-registry';
import { repository, tag } from '../../../helpers/retention-builders';
import { memoryGitReader, retentionTestDeps } from '../../../helpers/retention-deps';
import { useTestRuntime } from '../../../helpers/runtime';

/**
 * The app's telemetry end to end: the real Azure Monitor distro started by the runtime (the setting
 * set), events through the real functions on Azurite, then one flush to a local ingestion server, whose
 * envelopes must hold exactly the counts of what happened.
 */

const secret = 'Bearer telemetry-secret';
let azurite: AzuriteHandle;
let teams: FakeTeamsServer;
let ingestion: IngestionServer;
let runtime: Runtime;
const logs: string[] = [];

const context = (functionName: string, triggerMetadata: Record<string, unknown> = {}) =>
  new InvocationContext({
    invocationId: 'test',
    functionName,
    triggerMetadata,
    logHandler: (level, ...args) => void logs.push(`${level} ${args.join(' ')}`),
  });

const webhook = (body: unknown) =>
  new HttpRequest({
    method: 'POST',
    url: 'http://localhost:7071/api/acr/webhook',
    headers: { 'content-type': 'application/json', authorization: secret },
    body: { string: JSON.stringify(body) },
  });
// As functions/acr-webhook.ts registers it.
const timedWebhook = timedIngress('acrWebhook', acrWebhook, runtimeMetrics);

const deletedEvent = (tagName: string): ImageEvent => ({
  id: `evt-${tagName}`,
  source: 'acr-webhook',
  action: 'delete',
  registry: 'contoso.azurecr.io',
  repository: 'payments/api',
  tag: tagName,
  digest: `sha256:${tagName.replace(/\./g, '').padEnd(64, 'b')}`,
  occurredAt: '2026-11-25T10:00:00.000Z',
  dedupeKey: `d${tagName.replace(/\./g, '').padEnd(31, '0')}`,
});
const deletedCard = (tagName: string): Notification => {
  const event = deletedEvent(tagName);
  return {
    type: 'notify',
    dedupeKey: event.dedupeKey,
    correlationId: event.id,
    channel: 'platform',
    payload: { kind: 'deleted', event },
  };
};

beforeAll(async () => {
  [azurite, teams, ingestion] = await Promise.all([
    startTestAzurite(),
    startFakeTeamsServer(),
    startIngestionServer(),
  ]);
  const dir = mkdtempSync(join(tmpdir(), 'telemetry-'));
  writeFileSync(
    join(dir, 'autopilot.yaml'),
    `
gitops: { fleet: { url: https://github.com/contoso/fleet.git } }
teams: { platform: { urlFrom: TEAMS_PLATFORM } }
retry: { notify: { maxAttempts: 2, baseDelay: 1s } }
rules:
  - match: { repository: 'payments/*' }
    pin: { repo: fleet }
    notify: [platform]
`,
  );
  runtime = await useTestRuntime(
    {
      AzureWebJobsStorage: azurite.connectionString,
      AUTOPILOT_CONFIG: join(dir, 'autopilot.yaml'),
      ACR_WEBHOOK_SECRET: secret,
      TEAMS_PLATFORM: teams.workflowUrl(),
      APPLICATIONINSIGHTS_CONNECTION_STRING: ingestion.connectionString,
    },
    { telemetryExporter: { tlsOptions: { ca: ingestion.ca }, disableOfflineStorage: true } },
  );
}, 120_000);
afterAll(async () => {
  await runtime?.telemetry?.shutdown();
  await Promise.all([teams?.close(), ingestion?.close(), azurite?.stop()]);
});

describe('telemetry through @azure/monitor-opentelemetry to a local ingestion endpoint', () => {
  it('exports the counters, the ingress latency and the decision lines with their ids', async () => {
    expect(runtime.telemetry).toBeDefined();
    const push = loadFixture('events/acr-webhook/push-2026-no-useragent.json');
    const first = await timedWebhook(webhook(push), context('acrWebhook'));
    expect(first).toMatchObject({ status: 202, jsonBody: { actions: 2 } });
    const dedupeKey = (first.jsonBody as { accepted: string }).accepted;
    expect(await timedWebhook(webhook(push), context('acrWebhook'))).toMatchObject({
      status: 202,
      jsonBody: { duplicate: true },
    });
    expect(
      (await timedWebhook(webhook({ action: 'push', target: { tag: 1 } }), context('acrWebhook'))).status,
    ).toBe(400);
    expect((await timedWebhook(webhook({ action: 'ping' }), context('acrWebhook'))).status).toBe(200);

    // The runner: fan-out succeeds; one card is posted; another fails, is retried, then parked.
    const [accepted] = await peekAll(azurite.connectionString, 'image-events');
    await fanOutActions(accepted, context('fanOutActions'));
    await notifyTeams(deletedCard('1.0.0'), context('notifyTeams'));
    // The outbound client tries a 503 twice within one run; both runs see only 503s.
    teams.reply({ status: 503 }, { status: 503 }, { status: 503 }, { status: 503 });
    await notifyTeams(deletedCard('2.0.0'), context('notifyTeams'));
    // The copy the runner queued for later (invisible for a second), as the host would hand it over.
    expect(await queueLength(azurite.connectionString, 'notifications')).toBe(2);
    const retry = {
      ...deletedCard('2.0.0'),
      delivery: { attempt: 2, firstAttemptAt: new Date().toISOString() },
    };
    await notifyTeams(retry, context('notifyTeams'));
    expect(await peekAll(azurite.connectionString, 'notifications-poison')).toHaveLength(1);

    // Retention with the runtime's metrics: v2 of web (v1 is pinned), and db's v1 and v2 go.
    const deps = retentionTestDeps({
      yaml: `
gitops: { fleet: { url: https://git.example.com/fleet.git } }
retention:
  dryRun: false
  registries: [{ name: prod, type: acr, loginServer: prod.azurecr.io }]
  policies: [{ repositories: ['team-a/**'], keep: { newest: 1 } }]
`,
      backends: {
        prod: memoryRegistry([
          repository('team-a/web', [tag('v3', 'W3', 1), tag('v2', 'W2', 10), tag('v1', 'W1', 20)]),
          repository('team-a/db', [tag('v3', 'D3', 1), tag('v2', 'D2', 10), tag('v1', 'D1', 20)]),
        ]),
      },
      git: memoryGitReader({
        'https://git.example.com/fleet.git': { 'web.yaml': 'image: prod.azurecr.io/team-a/web:v1\n' },
      }),
    });
    const run = await runRetention(
      { ...deps, metrics: runtime.metrics },
      { trigger: 'http', runId: 'r1', correlationId: 'r1', apply: true, notify: [] },
    );
    expect(run.registries[0]?.status).toBe('applied');

    await new Promise((resolve) => setImmediate(resolve)); // the latency is recorded after the answer
    await runtime.telemetry?.flush();

    const metrics = ingestion.metrics();
    const value = (name: string, dimensions: Record<string, string>) =>
      metrics[`${name} ${JSON.stringify(dimensions)}`]?.value;
    const events = (outcome: string) => value('autopilot.events', { outcome, source: 'ACR webhook' });
    expect([events('accepted'), events('duplicate'), events('invalid'), events('ignored')]).toEqual([
      1, 1, 1, 1,
    ]);
    const actions = (action: string, outcome: string) => value('autopilot.actions', { action, outcome });
    expect(actions('fan-out', 'succeeded')).toBe(1);
    expect(actions('notify', 'succeeded')).toBe(1);
    expect(actions('notify', 'failed')).toBe(2);
    expect(actions('notify', 'retried')).toBe(1);
    expect(actions('notify', 'parked')).toBe(1);
    expect(value('autopilot.retention.tags_deleted', { registry: 'prod' })).toBe(3);
    const latency = (status: string) =>
      metrics[`autopilot.ingress.duration ${JSON.stringify({ endpoint: 'acrWebhook', status })}`];
    expect([latency('202')?.count, latency('400')?.count, latency('200')?.count]).toEqual([2, 1, 1]);
    expect(latency('202')?.value).toBeGreaterThan(0);

    // The decision lines reach App Insights with the ids as customDimensions.
    const queued = ingestion.messages().find((line) => line.message.startsWith('queued 2 action(s)'));
    expect(queued).toMatchObject({
      severity: 'Information',
      properties: { dedupeKey, correlationId: expect.any(String) },
    });
    const parked = ingestion
      .messages()
      .find((line) => /failed: .*Moved to notifications-poison/.test(line.message));
    expect(parked).toMatchObject({
      severity: 'Error',
      properties: {
        dedupeKey: deletedEvent('2.0.0').dedupeKey,
        correlationId: 'evt-2.0.0',
        action: 'notify',
      },
    });
    // The text lines carry the same ids.
    expect(logs.join('\n')).toMatch(
      new RegExp(`queued 2 action\\(s\\) .* correlationId=\\S+ dedupeKey=${dedupeKey}`),
    );
    expect(JSON.stringify(ingestion.envelopes)).not.toContain('telemetry-secret');
  });
});
