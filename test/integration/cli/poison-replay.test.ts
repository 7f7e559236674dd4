import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QueueServiceClient } from '@azure/storage-queue';
import { InvocationContext } from '@azure/functions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pinRequest } from '../../../functions/pin-request';
import { runCli } from '../../../shared/cli/main';
import { withLocalSettings } from '../../../shared/config/local-settings';
import { buildTeamsMessage } from '../../../shared/domain/cards/build-teams-message';
import { dedupeKeyFor } from '../../../shared/domain/events/dedupe-key';
import {
  pinRequestSchema,
  type Notification,
  type PinRequest,
} from '../../../shared/domain/messages/action-messages';
import type { AzuriteHandle } from '../../../shared/local-host/azurite';
import { peekAll, queueLength, startTestAzurite } from '../../helpers/azurite';
import { startGitHttpServer, type GitHttpServer } from '../../helpers/git-http-server';
import { useTestRuntime } from '../../helpers/runtime';

/**
 * The whole replay loop with the real parts: the pinRequest function (runner and all) parks a pin
 * the git host refuses, its log line and its failure card name a command, that exact command run
 * through the CLI (reading AzureWebJobsStorage from local.settings.json, as the app does) puts the
 * message back, and the function, fed the message as the host would, then commits the pin.
 */
const TOKEN = 'ghp_poisonReplayToken0000000000000001';
const REF = 'contoso.azurecr.io/payments/api';
const manifest = (image: string) =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          image: ${image}\n`;

let azurite: AzuriteHandle;
let git: GitHttpServer;
let refusing = true;
const logs: string[] = [];
const appDir = mkdtempSync(join(tmpdir(), 'poison-replay-'));

const context = (dequeueCount: number) =>
  new InvocationContext({
    invocationId: `replay-${dequeueCount}`,
    functionName: 'pinRequest',
    logHandler: (level, ...args) => void logs.push(`${level} ${args.join(' ')}`),
    triggerMetadata: { dequeueCount },
  });

function request(tag: string): PinRequest {
  const digest = `sha256:${createHash('sha256').update(`replay:${tag}`).digest('hex')}`;
  const image = { registry: 'contoso.azurecr.io', repository: 'payments/api', tag, digest };
  const dedupeKey = dedupeKeyFor({ ...image, action: 'push' });
  return pinRequestSchema.parse({
    type: 'pin',
    dedupeKey,
    correlationId: `evt-replay-${tag}`,
    event: {
      id: `evt-replay-${tag}`,
      source: 'acr-webhook',
      action: 'push',
      ...image,
      occurredAt: '2026-12-01T10:00:00.000Z',
      dedupeKey,
    },
    rule: { index: 0 },
    notify: [{ channel: 'platform', kinds: ['pinned', 'failed'] }],
    repo: 'fleet',
    paths: ['**/*.yaml'],
    mode: 'pin',
    render: 'tag-and-digest',
  });
}

/** What the Functions host does with each message on pin-requests: decode, run the function, delete. */
async function drainPinRequests(): Promise<number> {
  const client = QueueServiceClient.fromConnectionString(azurite.connectionString).getQueueClient(
    'pin-requests',
  );
  const { receivedMessageItems } = await client.receiveMessages({ numberOfMessages: 32 });
  for (const item of receivedMessageItems) {
    const message: unknown = JSON.parse(Buffer.from(item.messageText, 'base64').toString('utf8'));
    await pinRequest(message, context(item.dequeueCount));
    await client.deleteMessage(item.messageId, item.popReceipt);
  }
  return receivedMessageItems.length;
}

beforeAll(async () => {
  [azurite, git] = await Promise.all([
    startTestAzurite(),
    startGitHttpServer({ tokens: { [TOKEN]: 'write' } }),
  ]);
  await git.createRepo('org/fleet', { 'apps/payments/deployment.yaml': manifest(`${REF}:1.4.2`) });
  // The git host refuses the token until someone fixes its permissions.
  git.onRequest = () => (refusing ? { status: 403, body: 'permission denied for this token' } : undefined);
  writeFileSync(
    join(appDir, 'autopilot.yaml'),
    `
gitops:
  fleet: { url: '${git.repoUrl('org/fleet')}', tokenFrom: GITOPS_TOKEN }
teams: { platform: { urlFrom: TEAMS } }
`,
  );
  writeFileSync(
    join(appDir, 'local.settings.json'),
    JSON.stringify({ IsEncrypted: false, Values: { AzureWebJobsStorage: azurite.connectionString } }),
  );
  await useTestRuntime({
    AzureWebJobsStorage: azurite.connectionString,
    AUTOPILOT_CONFIG: join(appDir, 'autopilot.yaml'),
    GITOPS_TOKEN: TOKEN,
    TEAMS: 'https://prod-00.westus.logic.azure.com/workflows/x',
  });
});
afterAll(async () => {
  await Promise.all([azurite?.stop(), git?.close()]);
});

describe('a parked pin, replayed with the command its log line and card name', () => {
  it('is parked, requeued by the CLI with a fresh budget, and then committed', async () => {
    const pin = request('1.4.2');
    const seed = await git.head('org/fleet', 'main');

    await pinRequest(pin, context(1));

    expect(await queueLength(azurite.connectionString, 'pin-requests-poison')).toBe(1);
    const line = logs.find((entry) => entry.includes('Moved to pin-requests-poison')) ?? '';
    const command = /replay it: acr-autopilot (poison requeue \S+ --id \S+)/.exec(line)?.[1];
    expect(command).toBe(`poison requeue pin-requests --id ${pin.dedupeKey}`);
    // The failure card names the same command.
    const notes = (await peekAll(azurite.connectionString, 'notifications')) as Notification[];
    const failed = notes.find((note) => note.payload.kind === 'failed');
    expect(failed?.payload).toMatchObject({ kind: 'failed', parkedOn: 'pin-requests-poison' });
    const card = JSON.stringify(buildTeamsMessage(failed?.payload ?? notes[0]!.payload, { mode: 'card' }));
    expect(card).toContain(`acr-autopilot ${command}`);

    refusing = false;
    let stdout = '';
    let stderr = '';
    const code = await runCli((command ?? '').split(' '), {
      stdout: (text) => void (stdout += text),
      stderr: (text) => void (stderr += text),
      cwd: appDir,
      // As the bin sees them: local.settings.json under an environment that does not set storage.
      env: withLocalSettings({}, appDir),
    });
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toContain('requeued 1 message from pin-requests-poison to pin-requests');
    expect(await queueLength(azurite.connectionString, 'pin-requests-poison')).toBe(0);
    expect(await peekAll(azurite.connectionString, 'pin-requests')).toEqual([
      { ...pin, delivery: { attempt: 1, firstAttemptAt: expect.any(String) } },
    ]);

    expect(await drainPinRequests()).toBe(1);

    const head = await git.head('org/fleet', 'main');
    expect(head).not.toBe(seed);
    const [commit] = await git.listCommits('org/fleet', 'main');
    expect(commit?.message).toMatch(/^chore\(images\): pin payments\/api:1\.4\.2 to sha256:/);
    expect(await queueLength(azurite.connectionString, 'pin-requests')).toBe(0);
    expect(await queueLength(azurite.connectionString, 'pin-requests-poison')).toBe(0);
    const pinned = ((await peekAll(azurite.connectionString, 'notifications')) as Notification[]).filter(
      (note) => note.payload.kind === 'pinned',
    );
    expect(pinned).toHaveLength(1);
    // Succeeded on the first attempt of its fresh budget: no "succeeded on attempt N" line.
    expect(logs.join('\n')).not.toMatch(/succeeded on attempt/);
  });
});
