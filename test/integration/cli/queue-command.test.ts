import { QueueServiceClient } from '@azure/storage-queue';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createQueueAdmin } from '../../../shared/adapters/queue/queue-admin';
import { runQueueConsumer } from '../../../shared/adapters/queue/queue-consumer';
import { createQueueSender, encodeQueueMessage } from '../../../shared/adapters/queue/storage-queue-sender';
import { runCli } from '../../../shared/cli/main';
import { poisonRequeue } from '../../../shared/cli/queue-command';
import { azuriteConnectionString } from '../../../shared/config/app-settings';
import { RefusedError } from '../../../shared/domain/errors';
import { pinRequestSchema, type PinRequest } from '../../../shared/domain/messages/action-messages';
import { queueNames } from '../../../shared/domain/messages/queues';
import { pinQueue } from '../../../shared/domain/pinning/pin-image';
import type { AzuriteHandle } from '../../../shared/local-host/azurite';
import { peekAll, queueLength, startTestAzurite } from '../../helpers/azurite';
import { captureLogger } from '../../helpers/fakes';
import { closedPort } from '../../helpers/git-http-server';
import { sampleEvent } from '../../helpers/sample-event';

let azurite: AzuriteHandle;
let service: QueueServiceClient;
const cwd = mkdtempSync(join(tmpdir(), 'queue-cli-'));
const keyA = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const keyB = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';
const twoHours = 2 * 60 * 60 * 1000;

function io(env: Record<string, string> = { AzureWebJobsStorage: azurite.connectionString }) {
  const out = { stdout: '', stderr: '' };
  return {
    out,
    io: {
      stdout: (text: string) => void (out.stdout += text),
      stderr: (text: string) => void (out.stderr += text),
      cwd,
      env,
    },
  };
}

async function cli(...args: string[]) {
  const { out, io: cliIo } = io();
  const code = await runCli(args, cliIo);
  return { code, ...out };
}

function pin(dedupeKey: string, repo: string): PinRequest {
  return pinRequestSchema.parse({
    type: 'pin',
    dedupeKey,
    correlationId: `evt-${dedupeKey.slice(0, 4)}`,
    event: sampleEvent({ dedupeKey, id: `evt-${dedupeKey.slice(0, 4)}` }),
    rule: { index: 0 },
    notify: [{ channel: 'platform', kinds: ['failed'] }],
    repo,
    paths: ['**/*.yaml'],
    mode: 'pin',
    render: 'tag-and-digest',
  });
}

/** Parks `message` on pin-requests-poison the way the runner does (attempt 3, two hours ago); its log. */
async function parkWithRunner(message: unknown): Promise<string> {
  const log = captureLogger();
  await runQueueConsumer(
    {
      queue: createQueueSender(service),
      log,
      clock: () => new Date(Date.now() - twoHours),
      random: () => 0.5,
      retry: { maxAttempts: 20, baseDelayMs: 1000, maxDelayMs: 1000, withinMs: twoHours * 12 },
    },
    pinQueue,
    () => Promise.reject(new RefusedError('gitops repo answered 403: the token may not push')),
    {
      ...(message as object),
      delivery: { attempt: 3, firstAttemptAt: new Date(Date.now() - 3 * twoHours).toISOString() },
    },
  );
  return log.all();
}

/** What the Functions host does after maxDequeueCount: the message text as it was, on the poison queue. */
async function parkWithHost(text: string): Promise<void> {
  const client = service.getQueueClient('pin-requests-poison');
  await client.createIfNotExists();
  await client.sendMessage(text);
}

type Parked = PinRequest & {
  delivery?: { attempt: number; firstAttemptAt: string; parkedAt?: string; reason?: string };
};
const poisoned = async () => (await peekAll(azurite.connectionString, 'pin-requests-poison')) as Parked[];
const waiting = async () => (await peekAll(azurite.connectionString, 'pin-requests')) as Parked[];

beforeAll(async () => {
  azurite = await startTestAzurite();
  service = QueueServiceClient.fromConnectionString(azurite.connectionString);
});
afterAll(async () => azurite?.stop());
beforeEach(async () => {
  for (const queue of Object.values(queueNames)) {
    await service.getQueueClient(queue).deleteIfExists();
    await service.getQueueClient(`${queue}-poison`).deleteIfExists();
  }
});

describe('acr-autopilot queues', () => {
  it('prints the depth and poison depth of every queue, and where parked messages are', async () => {
    await parkWithRunner(pin(keyA, 'fleet'));
    await parkWithRunner(pin(keyB, 'fleet'));

    const text = await cli('queues');
    expect(text).toMatchObject({ code: 0, stderr: '' });
    const rows = text.stdout.split('\n').map((line) => line.trim().split(/\s+/));
    expect(rows.slice(0, 6)).toEqual([
      ['queue', 'depth', 'poison'],
      ['image-events', '0', '0'],
      ['pin-requests', '0', '2'],
      ['deploy-requests', '0', '0'],
      // Each parked pin sent its failure card.
      ['notifications', '2', '0'],
      ['retention-requests', '0', '0'],
    ]);
    expect(text.stdout).toContain(
      'pin-requests-poison: 2 parked; see acr-autopilot poison list pin-requests',
    );

    const json = await cli('queues', '--json');
    expect(JSON.parse(json.stdout)).toEqual({
      queues: [
        { queue: 'image-events', depth: 0, poison: 'image-events-poison', poisonDepth: 0 },
        { queue: 'pin-requests', depth: 0, poison: 'pin-requests-poison', poisonDepth: 2 },
        { queue: 'deploy-requests', depth: 0, poison: 'deploy-requests-poison', poisonDepth: 0 },
        { queue: 'notifications', depth: 2, poison: 'notifications-poison', poisonDepth: 0 },
        { queue: 'retention-requests', depth: 0, poison: 'retention-requests-poison', poisonDepth: 0 },
      ],
    });
  });

  it('says which setting to set when there is no storage', async () => {
    const { out, io: cliIo } = io({});
    expect(await runCli(['queues'], cliIo)).toBe(2);
    expect(out.stderr).toMatch(
      /^AzureWebJobsStorage is not set: set AzureWebJobsStorage \(a connection string/,
    );
  });
});

describe('acr-autopilot poison list', () => {
  it('shows each parked message: id, reason, age, attempts, what it is about and its replay command', async () => {
    await parkWithRunner(pin(keyA, 'fleet'));
    await parkWithHost(encodeQueueMessage(pin(keyB, 'other')));

    const json = await cli('poison', 'list', 'pin-requests', '--json');
    expect(json.code).toBe(0);
    const listed = JSON.parse(json.stdout) as {
      queue: string;
      poison: string;
      messages: Record<string, unknown>[];
    };
    expect(listed).toMatchObject({ queue: 'pin-requests', poison: 'pin-requests-poison' });
    const ids = (
      await service.getQueueClient('pin-requests-poison').peekMessages({ numberOfMessages: 32 })
    ).peekedMessageItems.map((item) => item.messageId);
    expect(listed.messages).toEqual([
      {
        id: ids[0],
        parkedBy: 'runner',
        reason: 'gitops repo answered 403: the token may not push',
        parkedAt: expect.any(String),
        ageSeconds: expect.any(Number),
        attempts: 3,
        type: 'pin',
        dedupeKey: keyA,
        image: 'contoso.azurecr.io/payments/api:1.4.2@sha256:4f1a8c0e3b2d',
        target: 'gitops fleet',
        replay: `acr-autopilot poison requeue pin-requests --id ${keyA}`,
      },
      {
        id: ids[1],
        parkedBy: 'host',
        reason: expect.stringMatching(
          /^moved here by the Functions host after maxDequeueCount failed deliveries/,
        ),
        parkedAt: expect.any(String),
        ageSeconds: expect.any(Number),
        attempts: null,
        type: 'pin',
        dedupeKey: keyB,
        image: 'contoso.azurecr.io/payments/api:1.4.2@sha256:4f1a8c0e3b2d',
        target: 'gitops other',
        replay: `acr-autopilot poison requeue pin-requests --id ${keyB}`,
      },
    ]);
    const [runner, host] = listed.messages;
    expect(Math.abs((runner?.ageSeconds as number) - twoHours / 1000)).toBeLessThan(60);
    expect(host?.ageSeconds).toBeLessThan(60);

    // The poison queue's own name works too; the text names the same things.
    const text = await cli('poison', 'list', 'pin-requests-poison');
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('pin-requests-poison: 2 parked messages');
    expect(text.stdout).toContain(`${ids[0]}  parked 2 h ago by the runner after 3 attempt(s)`);
    expect(text.stdout).toContain(
      '  about:     pin contoso.azurecr.io/payments/api:1.4.2@sha256:4f1a8c0e3b2d → gitops fleet',
    );
    expect(text.stdout).toContain('  reason:    gitops repo answered 403: the token may not push');
    expect(text.stdout).toContain(`  replay:    acr-autopilot poison requeue pin-requests --id ${keyA}`);
    expect(text.stdout).toMatch(
      new RegExp(`${ids[1]}  parked \\d+(\\.\\d)? m?s ago by the Functions host\\n`),
    );
  });

  it('says so when nothing is parked, and lists the valid queues for an unknown one', async () => {
    expect(await cli('poison', 'list', 'deploy-requests')).toEqual({
      code: 0,
      stdout: 'deploy-requests-poison: no parked messages\n',
      stderr: '',
    });
    const unknown = await cli('poison', 'list', 'pins');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe(
      'unknown queue "pins": the app\'s queues are image-events, pin-requests, deploy-requests, notifications, retention-requests\n',
    );
  });
});

describe('acr-autopilot poison requeue', () => {
  it('moves one message by its id, with a fresh attempt budget and without parkedAt or reason', async () => {
    const message = pin(keyA, 'fleet');
    await parkWithRunner(message);
    await parkWithRunner(pin(keyB, 'fleet'));
    const [first] = (await service.getQueueClient('pin-requests-poison').peekMessages()).peekedMessageItems;
    const before = Date.now();

    const result = await cli('poison', 'requeue', 'pin-requests', '--id', first?.messageId ?? '');

    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(
      new RegExp(
        `^moved ${first?.messageId}  pin contoso.azurecr.io/payments/api:1.4.2@sha256:4f1a8c0e3b2d → gitops fleet  \\(parked 2 h ago: gitops repo answered 403`,
      ),
    );
    expect(result.stdout).toMatch(
      /\nrequeued 1 message from pin-requests-poison to pin-requests with a fresh attempt budget; 1 left on pin-requests-poison\n$/,
    );
    const [requeued] = await waiting();
    expect(requeued).toEqual({ ...message, delivery: { attempt: 1, firstAttemptAt: expect.any(String) } });
    expect(Date.parse(requeued?.delivery?.firstAttemptAt ?? '')).toBeGreaterThanOrEqual(before - 1000);
    expect((await poisoned()).map((parked) => parked.dedupeKey)).toEqual([keyB]);
  });

  it('moves every parked message of one event by its dedupe key, as the log line says', async () => {
    const log = await parkWithRunner(pin(keyA, 'fleet'));
    await parkWithRunner(pin(keyA, 'fleet-two'));
    await parkWithRunner(pin(keyB, 'fleet'));
    const command = /replay it: acr-autopilot (poison requeue \S+ --id \S+)$/.exec(log)?.[1];
    expect(command).toBe(`poison requeue pin-requests --id ${keyA}`);

    const result = await cli(...(command ?? '').split(' '));

    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toContain('requeued 2 messages from pin-requests-poison to pin-requests');
    expect((await waiting()).map((message) => message.repo).sort()).toEqual(['fleet', 'fleet-two']);
    expect((await waiting()).every((message) => message.delivery?.attempt === 1)).toBe(true);
    expect((await poisoned()).map((message) => message.dedupeKey)).toEqual([keyB]);
  });

  it('moves everything with --all, host-moved messages (no delivery field, base64 or not) included', async () => {
    await parkWithRunner(pin(keyA, 'fleet'));
    const hostMoved = pin(keyB, 'fleet');
    await parkWithHost(encodeQueueMessage(hostMoved));
    // Someone put it there by hand as plain JSON: it goes back the way the host reads it (base64).
    await parkWithHost(JSON.stringify(pin(keyB, 'by-hand')));

    const result = await cli('poison', 'requeue', 'pin-requests', '--all', '--json');

    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as {
      messages: { parkedBy: string }[];
      left: number;
      failed: unknown;
    };
    expect(report).toMatchObject({ dryRun: false, left: 0, failed: null, duplicated: [] });
    expect(report.messages.map((message) => message.parkedBy)).toEqual(['runner', 'host', 'host']);
    expect(await queueLength(azurite.connectionString, 'pin-requests-poison')).toBe(0);
    const back = await waiting();
    expect(back).toHaveLength(3);
    expect(back).toContainEqual({
      ...hostMoved,
      delivery: { attempt: 1, firstAttemptAt: expect.any(String) },
    });
    expect(back.map((message) => message.repo).sort()).toEqual(['by-hand', 'fleet', 'fleet']);
  });

  it('shows its progress on a terminal while it works through a long poison queue', async () => {
    for (let n = 0; n < 40; n += 1) await parkWithHost(encodeQueueMessage(pin(keyA, `repo-${n}`)));
    const { out, io: cliIo } = io();

    const code = await runCli(['poison', 'requeue', 'pin-requests', '--all'], {
      ...cliIo,
      stderrIsTTY: true,
    });

    expect(code).toBe(0);
    expect(out.stderr).toMatch(/requeueing \(40 moved\) pin-requests-poison \[█+\] 40\/40 messages/);
    expect(out.stdout).toMatch(/requeued 40 messages from pin-requests-poison to pin-requests .*; 0 left/);
    expect(await queueLength(azurite.connectionString, 'pin-requests')).toBe(40);
  });

  it('changes nothing with --dry-run and lists what would move', async () => {
    await parkWithRunner(pin(keyA, 'fleet'));
    await parkWithRunner(pin(keyB, 'fleet'));
    const before = await service.getQueueClient('pin-requests-poison').peekMessages({ numberOfMessages: 32 });

    const result = await cli('poison', 'requeue', 'pin-requests', '--id', keyA, '--dry-run');

    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^would move \S+ {2}pin contoso\.azurecr\.io\/payments\/api/);
    expect(result.stdout).toContain(
      'would requeue 1 message from pin-requests-poison to pin-requests with a fresh attempt budget; nothing moved (--dry-run)',
    );
    const after = await service.getQueueClient('pin-requests-poison').peekMessages({ numberOfMessages: 32 });
    expect(after.peekedMessageItems).toEqual(before.peekedMessageItems);
    expect(await queueLength(azurite.connectionString, 'pin-requests')).toBe(0);
  });

  it('refuses without --id or --all, saying which flag to add', async () => {
    await parkWithRunner(pin(keyA, 'fleet'));
    const result = await cli('poison', 'requeue', 'pin-requests');
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'poison requeue moves messages: add --id <id> (a message id or dedupe key shown by acr-autopilot poison list pin-requests) to move those, or --all to move every message on pin-requests-poison\n',
    );
    expect((await cli('poison', 'requeue', 'pin-requests', '--all', '--id', keyA)).code).toBe(2);
    expect(await queueLength(azurite.connectionString, 'pin-requests-poison')).toBe(1);
  });

  it('exits 1 when --id matches no parked message', async () => {
    await parkWithRunner(pin(keyA, 'fleet'));
    const result = await cli('poison', 'requeue', 'pin-requests', '--id', keyB);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `no message on pin-requests-poison has the id or dedupe key ${keyB}; acr-autopilot poison list pin-requests shows them\n`,
    );
    expect(await queueLength(azurite.connectionString, 'pin-requests-poison')).toBe(1);
  });

  it('leaves the message on the poison queue when sending it back fails', async () => {
    await parkWithRunner(pin(keyA, 'fleet'));
    const before = await poisoned();
    const unreachable = QueueServiceClient.fromConnectionString(
      azuriteConnectionString('127.0.0.1', { blob: 1, queue: await closedPort(), table: 1 }),
      { retryOptions: { maxTries: 1 } },
    );
    const admin = createQueueAdmin(service, { sender: createQueueSender(unreachable) });
    const { out, io: cliIo } = io();

    const code = await poisonRequeue(
      'pin-requests',
      { id: keyA, all: false, dryRun: false, json: false },
      cliIo,
      {
        admin,
      },
    );

    expect(code).toBe(1);
    expect(out.stderr).toMatch(
      /^requeue stopped: sending message \S+ to pin-requests failed: writing to queue pin-requests failed.*ECONNREFUSED.*; it and the messages not yet moved stay on pin-requests-poison \(0 moved before\)/,
    );
    expect(out.stdout).toContain('requeued 0 messages');
    expect(await poisoned()).toEqual(before);
    expect(await queueLength(azurite.connectionString, 'pin-requests')).toBe(0);
  });
});
