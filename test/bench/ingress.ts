import { queueLength } from '../helpers/azurite';
import { functionArgs, writeCatchAllConfig } from '../helpers/e2e-app';
import { startLocalHostProcess } from '../helpers/local-host-process';
import { ms, percentile, printFigures, type Figure } from './stats';

const secret = 'Bearer bench-secret';
const actionQueues = ['pin-requests', 'deploy-requests', 'notifications'];

/**
 * Ingress through the local host with in-memory Azurite: ack latency one request at a time, then
 * sustained throughput with 16 senders, then a count of what reached image-events (nothing may be
 * lost). Every webhook is a distinct push matching one rule with three actions (pin, deploy, notify).
 */
const benchEnv = () => ({
  AUTOPILOT_CONFIG: writeCatchAllConfig(),
  ACR_WEBHOOK_SECRET: secret,
  TEAMS_PLATFORM: 'https://x.logic.azure.com/w',
  GH_TOKEN: 'x',
});

export async function benchIngress(options: { sequential: number; concurrent: number; concurrency: number }) {
  const env = benchEnv();
  const host = await startLocalHostProcess({
    args: functionArgs(['acr-webhook', 'health', 'app-start']),
    env,
  });
  let counter = 0;
  const send = async () => {
    const n = counter++;
    const body = JSON.stringify({
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
    const started = performance.now();
    const response = await fetch(`${host.url}/api/acr/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: secret },
      body,
    });
    await response.arrayBuffer();
    const elapsed = performance.now() - started;
    if (response.status !== 202) throw new Error(`webhook ${n} answered ${response.status}`);
    return elapsed;
  };
  try {
    for (let i = 0; i < 200; i++) await send(); // warm-up: JIT, connections, queue and table creation
    const sequential: number[] = [];
    for (let i = 0; i < options.sequential; i++) sequential.push(await send());

    const concurrent: number[] = [];
    const started = performance.now();
    let remaining = options.concurrent;
    await Promise.all(
      Array.from({ length: options.concurrency }, async () => {
        while (remaining-- > 0) concurrent.push(await send());
      }),
    );
    const perSecond = options.concurrent / ((performance.now() - started) / 1000);
    const accepted = counter;
    const lostAtIngress = accepted - (await queueLength(host.storage, 'image-events'));

    const p99 = percentile(sequential, 99);
    const figures: Figure[] = [
      { name: 'ack latency p50 (sequential)', value: ms(percentile(sequential, 50)) },
      { name: 'ack latency p99 (sequential)', value: ms(p99), target: '≤ 25 ms', ok: p99 <= 25 },
      { name: `ack latency p50 (${options.concurrency} concurrent)`, value: ms(percentile(concurrent, 50)) },
      { name: `ack latency p99 (${options.concurrency} concurrent)`, value: ms(percentile(concurrent, 99)) },
      {
        name: `sustained webhooks/s (${options.concurrency} concurrent)`,
        value: perSecond.toFixed(0),
        target: '≥ 300',
        ok: perSecond >= 300,
      },
      { name: 'webhooks accepted', value: String(accepted) },
      {
        name: 'accepted events missing from image-events',
        value: String(lostAtIngress),
        target: '0',
        ok: lostAtIngress === 0,
      },
    ];
    printFigures(
      `Ingress: ${options.sequential} sequential + ${options.concurrent} concurrent webhooks through the local host, Azurite in memory`,
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
