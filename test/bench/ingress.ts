import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { odata, TableClient } from '@azure/data-tables';
import { QueueServiceClient } from '@azure/storage-queue';
import { dedupeTable } from '../../shared/runtime/composition-root';
import { queueLength } from '../helpers/azurite';
import { functionArgs, writeCatchAllConfig } from '../helpers/e2e-app';
import { startLocalHostProcess } from '../helpers/local-host-process';
import { stopChild } from '../../shared/local-host/azurite';
import { median, ms, percentile, printFigures, type Figure } from './stats';

const secret = 'Bearer bench-secret';
const eventGridKey = 'bench-eventgrid-key';
const actionQueues = ['pin-requests', 'deploy-requests', 'notifications'];
const baselineQueue = 'bench-baseline-events';
const baselineTable = 'benchbaseline';

const benchEnv = () => ({
  AUTOPILOT_CONFIG: writeCatchAllConfig(),
  ACR_WEBHOOK_SECRET: secret,
  TEAMS_PLATFORM: 'https://x.logic.azure.com/w',
  GH_TOKEN: 'x',
  AUTOPILOT_LOCAL_EVENTGRID_KEY: eventGridKey,
});

/** A distinct ACR push webhook body for event number n. */
const pushBody = (n: number) => ({
  id: `bench-${n}`,
  action: 'push',
  timestamp: new Date().toISOString(),
  target: {
    repository: `bench/app${n % 50}`,
    tag: `1.0.${n}`,
    digest: `sha256:${n.toString(16).padStart(64, '0')}`,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    size: 1611,
  },
  request: { host: 'contoso.azurecr.io', method: 'PUT', id: `r-${n}` },
});

interface Target {
  url: string;
  /** The serving process and its Azurite, for CPU per webhook. */
  pid: number | undefined;
  azurite: number | undefined;
  headers: Record<string, string>;
  /** Webhooks answered 202 so far. */
  accepted: number;
}

/** Posts webhook n to a target; resolves with the ack latency in ms, rejects on anything but 202. */
async function send(target: Target, n: number): Promise<number> {
  const started = performance.now();
  const response = await fetch(target.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...target.headers },
    body: JSON.stringify(pushBody(n)),
  });
  await response.arrayBuffer();
  const elapsed = performance.now() - started;
  if (response.status !== 202) throw new Error(`${target.url}: webhook ${n} answered ${response.status}`);
  target.accepted++;
  return elapsed;
}

/** CPU time a process has used so far, in ms (Linux /proc; undefined elsewhere). */
function cpuMs(pid: number | undefined): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) * 10; // utime + stime, in 10 ms ticks
  } catch {
    return undefined;
  }
}

/** The pid of the Azurite serving tables on this connection string's port (Linux /proc). */
function azuritePid(storage: string): number | undefined {
  const port = /TableEndpoint=http:\/\/[^:]+:(\d+)/.exec(storage)?.[1];
  if (!port || !existsSync('/proc')) return undefined;
  const pid = readdirSync('/proc').find((entry) => {
    if (!/^\d+$/.test(entry)) return false;
    try {
      return readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(`--tablePort\0${port}\0`);
    } catch {
      return false;
    }
  });
  return pid ? Number(pid) : undefined;
}

/**
 * `count` webhooks from `concurrency` senders in a closed loop: latencies, webhooks/s, and CPU ms per
 * webhook of the server and of Azurite (which does not depend on what else runs on the machine).
 */
async function load(target: Target, next: () => number, count: number, concurrency: number) {
  const latencies: number[] = [];
  let remaining = count;
  const cpuBefore = [cpuMs(target.pid), cpuMs(target.azurite)];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (remaining-- > 0) latencies.push(await send(target, next()));
    }),
  );
  const perSecond = count / ((performance.now() - started) / 1000);
  const [server, azurite] = [cpuMs(target.pid), cpuMs(target.azurite)].map((after, index) => {
    const before = cpuBefore[index];
    return after === undefined || before === undefined ? NaN : (after - before) / count;
  });
  return { latencies, perSecond, cpu: { server: server ?? NaN, azurite: azurite ?? NaN } };
}

/**
 * What the app wrote for its last webhook: the dedupe claim as inserted and the image-events message,
 * for the baseline to write the same.
 */
async function appPayloads(storage: string): Promise<{ entity: string; message: string }> {
  const table = TableClient.fromConnectionString(storage, dedupeTable, { allowInsecureConnection: true });
  const claims = table.listEntities<Record<string, unknown>>({
    queryOptions: { filter: odata`PartitionKey eq 'ingress'` },
  });
  const { value: claim } = await claims[Symbol.asyncIterator]().next();
  if (!claim) throw new Error('no dedupe claim found after the warm-up');
  const {
    etag: _etag,
    timestamp: _timestamp,
    completedAt: _completedAt,
    actions: _actions,
    ...entity
  } = claim;
  const queue = QueueServiceClient.fromConnectionString(storage).getQueueClient('image-events');
  const [peeked] = (await queue.peekMessages()).peekedMessageItems;
  if (!peeked) throw new Error('no image-events message found after the warm-up');
  const message = Buffer.from(peeked.messageText, 'base64').toString('utf8');
  return { entity: JSON.stringify({ ...entity, state: 'pending' }), message };
}

/**
 * Empties the app's dedupe table and the baseline's. Azurite scans a whole table for each insert and
 * update (the cost per operation grows with its rows: about 1 ms at 1,000 rows, 3–4 ms at 15,000;
 * Table Storage's does not grow), so each phase starts from empty tables, for the app and the
 * baseline alike, rather than measuring how many webhooks came before.
 */
async function emptyTables(storage: string): Promise<void> {
  for (const name of [dedupeTable, baselineTable]) {
    const table = TableClient.fromConnectionString(storage, name, { allowInsecureConnection: true });
    await table.deleteTable();
    await table.createTable();
  }
}

/** The baseline server (ingress-baseline-server.ts) in its own process, on the given Azurite. */
async function startBaseline(
  storage: string,
  payloads: { entity: string; message: string },
): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'ingress-baseline-server.ts')], {
    env: {
      ...process.env,
      BASELINE_STORAGE: storage,
      BASELINE_QUEUE: baselineQueue,
      BASELINE_TABLE: baselineTable,
      BASELINE_ENTITY: payloads.entity,
      BASELINE_MESSAGE: payloads.message,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<string>((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = /listening (\d+)/.exec(output);
      if (match?.[1]) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`baseline server exited with ${code}: ${output}`)));
  });
  return { url: `http://127.0.0.1:${port}/`, child };
}

/**
 * Ingress through the local host with in-memory Azurite, beside a bare baseline on the same Azurite
 * (plain node:http doing one Table insert and one queue send per webhook with the app's own payloads,
 * in its own process like the host): ack latency one request at a time, then throughput with
 * `concurrency` senders in alternating rounds (baseline, app, baseline, app, …; median of each; each
 * from empty tables), then a count of what reached the queues (nothing accepted may be missing).
 * Every webhook is a distinct push matching one rule with three actions (pin, deploy, notify).
 */
export async function benchIngress(options: {
  sequential: number;
  concurrent: number;
  concurrency: number;
  rounds: number;
}) {
  const host = await startLocalHostProcess({
    args: functionArgs(['acr-webhook', 'health', 'app-start']),
    env: benchEnv(),
  });
  let counter = 0;
  const next = () => counter++;
  const app: Target = {
    url: `${host.url}/api/acr/webhook`,
    headers: { authorization: secret },
    accepted: 0,
    pid: host.child.pid,
    azurite: azuritePid(host.storage),
  };
  // Warm-up: JIT, connections, queue and table creation.
  for (let i = 0; i < 200; i++) await send(app, next());
  const baseline = await startBaseline(host.storage, await appPayloads(host.storage));
  const bare: Target = {
    url: baseline.url,
    headers: {},
    accepted: 0,
    pid: baseline.child.pid,
    azurite: app.azurite,
  };
  try {
    for (let i = 0; i < 200; i++) await send(bare, next());
    await emptyTables(host.storage);
    const sequential: number[] = [];
    for (let i = 0; i < options.sequential; i++) sequential.push(await send(app, next()));
    const bareSequential: number[] = [];
    for (let i = 0; i < options.sequential / 4; i++) bareSequential.push(await send(bare, next()));

    const appRounds: Awaited<ReturnType<typeof load>>[] = [];
    const bareRounds: Awaited<ReturnType<typeof load>>[] = [];
    const perRound = Math.ceil(options.concurrent / options.rounds);
    for (let round = 0; round < options.rounds; round++) {
      await emptyTables(host.storage);
      bareRounds.push(await load(bare, next, perRound, options.concurrency));
      await emptyTables(host.storage);
      appRounds.push(await load(app, next, perRound, options.concurrency));
    }
    const perSecond = median(appRounds.map((round) => round.perSecond));
    const barePerSecond = median(bareRounds.map((round) => round.perSecond));
    const concurrent = appRounds.flatMap((round) => round.latencies);
    const ratio = (100 * perSecond) / barePerSecond;
    const cpu = (rounds: typeof appRounds, of: 'server' | 'azurite') =>
      ms(median(rounds.map((round) => round.cpu[of])));

    const lost = app.accepted - (await queueLength(host.storage, 'image-events'));
    const bareLost = bare.accepted - (await queueLength(host.storage, baselineQueue));

    const p99 = percentile(sequential, 99);
    const c = options.concurrency;
    const figures: Figure[] = [
      { name: 'ack latency p50 (sequential)', value: ms(percentile(sequential, 50)) },
      { name: 'ack latency p99 (sequential)', value: ms(p99), target: '≤ 10 ms', ok: p99 <= 10 },
      {
        name: 'baseline ack latency p50 / p99 (sequential)',
        value: `${ms(percentile(bareSequential, 50))} / ${ms(percentile(bareSequential, 99))}`,
      },
      { name: `ack latency p50 (${c} concurrent)`, value: ms(percentile(concurrent, 50)) },
      { name: `ack latency p99 (${c} concurrent)`, value: ms(percentile(concurrent, 99)) },
      {
        name: `sustained webhooks/s (${c} concurrent)`,
        value: perSecond.toFixed(0),
        target: '≥ 800',
        ok: perSecond >= 800,
      },
      { name: `baseline webhooks/s (${c} concurrent)`, value: barePerSecond.toFixed(0) },
      { name: 'share of the baseline', value: `${ratio.toFixed(0)} %`, target: '≥ 70 %', ok: ratio >= 70 },
      {
        name: 'CPU per webhook: host / baseline server',
        value: `${cpu(appRounds, 'server')} / ${cpu(bareRounds, 'server')}`,
      },
      {
        name: 'CPU per webhook: Azurite for app / baseline',
        value: `${cpu(appRounds, 'azurite')} / ${cpu(bareRounds, 'azurite')}`,
      },
      { name: 'webhooks accepted (app / baseline)', value: `${app.accepted} / ${bare.accepted}` },
      {
        name: 'accepted events missing from image-events',
        value: String(lost),
        target: '0',
        ok: lost === 0,
      },
      { name: 'baseline: accepted events missing', value: String(bareLost), target: '0', ok: bareLost === 0 },
    ];
    printFigures(
      `Ingress: ${options.sequential} sequential + ${appRounds.length} × ${perRound} webhooks from ${c} senders through the local host, beside the baseline, Azurite in memory`,
      figures,
    );
    console.log(`\ningress vs baseline: ${ratio.toFixed(0)} % of baseline throughput at ${c} concurrent`);
    return figures;
  } finally {
    await stopChild(baseline.child);
    await host.stop();
  }
}

/**
 * One Event Grid delivery of `events` ImagePushed events (a batch, as a subscription with
 * maxEventsPerBatch sends it) to the local host's Event Grid endpoint, until it answers 200; then
 * every event must be on image-events.
 */
export async function benchEventGridBatch(events: number) {
  const host = await startLocalHostProcess({
    args: functionArgs(['acr-event-grid', 'health', 'app-start']),
    env: benchEnv(),
  });
  const url = `${host.url}/runtime/webhooks/eventgrid?functionName=acrEventGrid&code=${eventGridKey}`;
  const batch = (offset: number, size: number) =>
    JSON.stringify(
      Array.from({ length: size }, (_, i) => ({
        id: `eg-bench-${offset + i}`,
        topic: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/contoso',
        subject: `bench/eg:${offset + i}`,
        eventType: 'Microsoft.ContainerRegistry.ImagePushed',
        eventTime: new Date().toISOString(),
        dataVersion: '2.0',
        metadataVersion: '1',
        data: { ...pushBody(offset + i + 1e7), location: 'westeurope' },
      })),
    );
  const deliver = async (body: string) => {
    const started = performance.now();
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'aeg-event-type': 'Notification' },
      body,
    });
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`Event Grid batch answered ${response.status}`);
    return performance.now() - started;
  };
  try {
    await deliver(batch(0, 10)); // warm-up: runtime, queue and table creation
    const elapsed = await deliver(batch(10, events));
    const missing = events + 10 - (await queueLength(host.storage, 'image-events'));
    const figures: Figure[] = [
      {
        name: `${events}-event batch, delivery → 200`,
        value: `${(elapsed / 1000).toFixed(2)} s`,
        target: '≤ 2.5 s',
        ok: elapsed <= 2500,
      },
      { name: 'events/s within the batch', value: ((events / elapsed) * 1000).toFixed(0) },
      {
        name: 'batch events missing from image-events',
        value: String(missing),
        target: '0',
        ok: missing === 0,
      },
    ];
    printFigures(
      `Event Grid: one ${events}-event delivery through the local host's Event Grid endpoint`,
      figures,
    );
    return figures;
  } finally {
    await host.stop();
  }
}

/**
 * Fan-out, separately and smaller: Azurite stalls for minutes once many thousands of messages have
 * been deleted (reference/local-runtime.md), so this drains a few hundred events from a fresh host.
 */
export async function benchFanOut(events: number) {
  const env = benchEnv();
  const host = await startLocalHostProcess({
    args: functionArgs(['acr-webhook', 'health', 'app-start', 'fan-out-actions']),
    env,
  });
  try {
    const started = performance.now();
    await Promise.all(
      Array.from({ length: 8 }, async (_, worker) => {
        for (let n = worker; n < events; n += 8) {
          const response = await fetch(`${host.url}/api/acr/webhook`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: secret },
            body: JSON.stringify({
              action: 'push',
              target: {
                repository: 'bench/fan',
                tag: `2.0.${n}`,
                digest: `sha256:${(n + 1e6).toString(16).padStart(64, 'f')}`,
              },
              request: { host: 'contoso.azurecr.io' },
            }),
          });
          await response.arrayBuffer();
        }
      }),
    );
    const counts = () => Promise.all(actionQueues.map((queue) => queueLength(host.storage, queue)));
    while ((await counts()).some((count) => count < events) && performance.now() - started < 120_000) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const seconds = (performance.now() - started) / 1000;
    const final = await counts();
    const missing = final.reduce((sum, count) => sum + Math.max(0, events - count), 0);
    const duplicated = final.reduce((sum, count) => sum + Math.max(0, count - events), 0);
    const figures: Figure[] = [
      { name: 'webhook → 3 action queues, events/s', value: (events / seconds).toFixed(0) },
      { name: 'action messages missing', value: String(missing), target: '0', ok: missing === 0 },
      { name: 'action messages duplicated', value: String(duplicated), target: '0', ok: duplicated === 0 },
    ];
    printFigures(
      `Fan-out: ${events} webhooks until every action is on its queue (ingress + fanOutActions)`,
      figures,
    );
    return figures;
  } finally {
    await host.stop();
  }
}
