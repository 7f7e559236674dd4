import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TableClient } from '@azure/data-tables';
import { QueueServiceClient } from '@azure/storage-queue';
import { InvocationContext } from '@azure/functions';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ImageEvent } from '../../../shared/domain/events/image-event';
import type { Notification } from '../../../shared/domain/messages/action-messages';
import type { AzuriteHandle } from '../../../shared/local-host/azurite';
import { peekAll, startTestAzurite } from '../../helpers/azurite';
import { fakeSignature, startFakeTeamsServer, type FakeTeamsServer } from '../../helpers/fake-teams-server';
import { notifyTeams } from '../../../functions/notify-teams';
import { useTestRuntime } from '../../helpers/runtime';

let azurite: AzuriteHandle;
let teams: FakeTeamsServer;
const logs: string[] = [];

const context = (dequeueCount = 1) =>
  new InvocationContext({
    invocationId: 'test',
    functionName: 'notifyTeams',
    triggerMetadata: { dequeueCount },
    logHandler: (level, ...args) => void logs.push(`${level} ${args.join(' ')}`),
  });

const event = (tag: string, action: ImageEvent['action'] = 'push'): ImageEvent => ({
  id: `evt-${tag}-${action}`,
  source: 'acr-webhook',
  action,
  registry: 'contoso.azurecr.io',
  repository: 'payments/api',
  tag,
  digest: `sha256:${tag.replace(/\./g, '').padEnd(64, 'a')}`,
  occurredAt: '2026-11-25T10:00:00.000Z',
  dedupeKey: `${action === 'push' ? 'a' : 'd'}${tag.replace(/\./g, '').padEnd(31, '0')}`,
});
const notification = (payload: Notification['payload'], channel = 'platform'): Notification => {
  const image = 'event' in payload && payload.event ? payload.event : event('0.0.0');
  return { type: 'notify', dedupeKey: image.dedupeKey, correlationId: image.id, channel, payload };
};

/** Takes the messages visible on `notifications` off the queue, decoded as the trigger would hand them over. */
async function receiveNotifications(): Promise<unknown[]> {
  const queue = QueueServiceClient.fromConnectionString(azurite.connectionString).getQueueClient(
    'notifications',
  );
  const { receivedMessageItems } = await queue.receiveMessages({ numberOfMessages: 32 });
  for (const item of receivedMessageItems) await queue.deleteMessage(item.messageId, item.popReceipt);
  return receivedMessageItems.map((item) =>
    JSON.parse(Buffer.from(item.messageText, 'base64').toString('utf8')),
  );
}

beforeAll(async () => {
  [azurite, teams] = await Promise.all([startTestAzurite(), startFakeTeamsServer()]);
  const dir = mkdtempSync(join(tmpdir(), 'notify-'));
  writeFileSync(
    join(dir, 'autopilot.yaml'),
    `
teams:
  platform: { urlFrom: TEAMS_PLATFORM }
  unset: { urlFrom: TEAMS_NOT_SET }
notifications: { burstWindow: 1s }
`,
  );
  await useTestRuntime({
    AzureWebJobsStorage: azurite.connectionString,
    AUTOPILOT_CONFIG: join(dir, 'autopilot.yaml'),
    AZURE_FUNCTIONS_ENVIRONMENT: 'Development',
    AUTOPILOT_ALLOW_INSECURE_LOOPBACK: 'true',
    TEAMS_PLATFORM: teams.workflowUrl(),
  });
});
afterAll(async () => {
  await teams?.close();
  await azurite?.stop();
});
beforeEach(() => {
  teams.requests.length = 0;
});

describe('notifyTeams handler (Azurite + fake Teams server)', () => {
  it('posts the card of a notification as a Workflows envelope', async () => {
    await notifyTeams(notification({ kind: 'deleted', event: event('1.0.0', 'delete') }), context());
    expect(teams.requests).toHaveLength(1);
    const [request] = teams.requests;
    expect(request?.url).toContain(`sig=${fakeSignature}`);
    expect(request?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(request?.body ?? '')).toMatchObject({
      type: 'message',
      attachments: [{ content: { type: 'AdaptiveCard', version: '1.4' } }],
    });
    expect(logs.join('\n')).toMatch(
      /information posted the deleted card for contoso.azurecr.io\/payments\/api:1.0.0/,
    );
  });

  it('skips a redelivered notification (Table dedupe)', async () => {
    await notifyTeams(notification({ kind: 'deleted', event: event('1.0.0', 'delete') }), context(2));
    expect(teams.requests).toHaveLength(0);
    expect(logs.join('\n')).toMatch(/was already delivered; skipped/);
  });

  it('folds pushes into one card, flushed by a delayed message on the notifications queue', async () => {
    await notifyTeams(notification({ kind: 'pushed', event: event('2.0.0') }), context());
    await notifyTeams(notification({ kind: 'pushed', event: event('2.0.1') }), context());
    expect(teams.requests).toHaveLength(0);
    // The flush message stays invisible for the 1 s window.
    expect(await receiveNotifications()).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const flushes = await receiveNotifications();
    expect(flushes).toEqual([expect.objectContaining({ type: 'notify-flush', repository: 'payments/api' })]);
    await notifyTeams(flushes[0], context());
    expect(teams.requests).toHaveLength(1);
    expect(teams.requests[0]?.body).toMatch(/2 pushes to payments\/api/);
    const table = TableClient.fromConnectionString(azurite.connectionString, 'autopilotstate', {
      allowInsecureConnection: true,
    });
    const rows = [];
    for await (const row of table.listEntities()) rows.push(row);
    expect(rows).toEqual([]);
  });

  it('parks a notification for an unknown channel or an unset setting on notifications-poison', async () => {
    const unknown = notification({ kind: 'deleted', event: event('3.0.0', 'delete') }, 'nope');
    const unset = notification({ kind: 'deleted', event: event('3.0.0', 'delete') }, 'unset');
    await notifyTeams(unknown, context());
    await notifyTeams(unset, context());
    expect(await peekAll(azurite.connectionString, 'notifications-poison')).toEqual([
      {
        ...unknown,
        delivery: expect.objectContaining({ reason: expect.stringMatching(/teams\.nope is missing/) }),
      },
      { ...unset, delivery: expect.objectContaining({ reason: expect.stringMatching(/TEAMS_NOT_SET/) }) },
    ]);
    expect(logs.join('\n')).toMatch(
      /error the deleted card .* failed: Teams channel "nope" is not configured: teams\.nope is missing from the config/,
    );
    expect(logs.join('\n')).toMatch(
      /teams\.unset\.urlFrom names the app setting TEAMS_NOT_SET, which is not set/,
    );
    expect(teams.requests).toHaveLength(0);
  });

  it('parks an unreadable message at once', async () => {
    await notifyTeams({ type: 'notify', channel: 'platform' }, context());
    expect(await peekAll(azurite.connectionString, 'notifications-poison')).toContainEqual({
      type: 'notify',
      channel: 'platform',
      delivery: expect.objectContaining({
        reason: expect.stringMatching(/unreadable message on notifications/),
      }),
    });
  });

  it('re-queues on 5xx with a delay, and parks the message once the retry budget is spent', async () => {
    const busy = { status: 503, headers: { 'retry-after': '0' } };
    teams.reply(busy, busy);
    const message = notification({ kind: 'deleted', event: event('4.0.0', 'delete') });
    await notifyTeams(message, context());
    // Two tries in the worker (a blip), then the queue waits.
    expect(teams.requests).toHaveLength(2);
    expect(logs.join('\n')).toMatch(/warning .*failed \(attempt 1 of 20\): .*answered 503.*; retrying in \d/);
    const client = QueueServiceClient.fromConnectionString(azurite.connectionString).getQueueClient(
      'notifications',
    );
    const { approximateMessagesCount } = await client.getProperties();
    expect(approximateMessagesCount).toBe(1);

    teams.reply(busy, busy);
    const lastAttempt = { ...message, delivery: { attempt: 20, firstAttemptAt: new Date().toISOString() } };
    await notifyTeams(lastAttempt, context());
    const parked = await peekAll(azurite.connectionString, 'notifications-poison');
    expect(parked.at(-1)).toEqual({
      ...message,
      delivery: expect.objectContaining({
        attempt: 20,
        reason: expect.stringMatching(/answered 503.*gave up/),
      }),
    });
    expect(logs.join('\n')).toMatch(/error .*Moved to notifications-poison \(it kept failing\)/);
    // The claim was released: the message, replayed from the poison queue, posts.
    await notifyTeams(message, context());
    expect(teams.requests).toHaveLength(5);
  });

  it('never logs the signature of the URL', () => {
    expect(logs.length).toBeGreaterThan(5);
    expect(logs.join('\n')).not.toContain(fakeSignature);
  });
});
