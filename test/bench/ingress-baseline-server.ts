import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TableClient } from '@azure/data-tables';
import { QueueServiceClient } from '@azure/storage-queue';

/**
 * The ingress baseline, run as its own process like the local host: plain node:http doing the storage
 * work ingress must do for one webhook — one Table insert (the dedupe claim) and one queue send — on
 * the same Azurite, then answering 202. No Functions model, no auth, no validation, no rules. So that
 * the comparison is about the app and not about payload sizes, it writes the same entity and message
 * the app wrote for an earlier webhook (`BASELINE_ENTITY`, `BASELINE_MESSAGE`: JSON taken from
 * Azurite), with this request's dedupe key and id. Prints `listening <port>`.
 */
async function main() {
  const env = (name: string) => {
    const value = process.env[name];
    if (!value) throw new Error(`set ${name}`);
    return value;
  };
  const storage = env('BASELINE_STORAGE');
  const entity = JSON.parse(env('BASELINE_ENTITY')) as Record<string, unknown>;
  const message = JSON.parse(env('BASELINE_MESSAGE')) as Record<string, unknown>;
  const table = TableClient.fromConnectionString(storage, env('BASELINE_TABLE'), {
    allowInsecureConnection: true,
  });
  const queue = QueueServiceClient.fromConnectionString(storage).getQueueClient(env('BASELINE_QUEUE'));
  await Promise.all([table.createTable(), queue.createIfNotExists()]);

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void (async () => {
        try {
          const event = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
            id?: string;
            target?: { repository?: string; digest?: string };
          };
          const key = createHash('sha256')
            .update(`${event.target?.repository}@${event.target?.digest}`)
            .digest('hex')
            .slice(0, 32);
          const now = new Date().toISOString();
          await table.createEntity({ ...entity, partitionKey: 'ingress', rowKey: key, claimedAt: now });
          const text = JSON.stringify({ ...message, dedupeKey: key, correlationId: event.id });
          await queue.sendMessage(Buffer.from(text, 'utf8').toString('base64'));
          res.writeHead(202, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ accepted: key }));
        } catch (error) {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: error instanceof Error ? error.message : String(error) }));
        }
      })();
    });
  });
  server.listen(0, '127.0.0.1', () => {
    process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`);
  });
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
