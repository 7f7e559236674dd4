import { once } from 'node:events';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { createTestCertificate } from './test-certificate';

/** One telemetry item as the Azure Monitor exporter posts it to `/v2.1/track`. */
export interface Envelope {
  name: string;
  data: {
    baseType: string;
    baseData: {
      metrics?: { name: string; value: number; count?: number; min?: number; max?: number }[];
      message?: string;
      severityLevel?: string;
      properties?: Record<string, string>;
    };
  };
}

export interface IngestionServer {
  /** `InstrumentationKey=…;IngestionEndpoint=https://127.0.0.1:<port>/`: the app setting's value. */
  connectionString: string;
  /** The server's self-signed certificate, for the exporter's `tlsOptions.ca` (the exporter only speaks https). */
  ca: string;
  envelopes: Envelope[];
  /** Metric items summed by name and dimensions, keyed `name {"dimension":"value",…}`. */
  metrics(): Record<string, { value: number; count: number }>;
  /** Log records (App Insights `traces`): message, severity and customDimensions. */
  messages(): { message: string; severity: string; properties: Record<string, string> }[];
  close(): Promise<void>;
}

/**
 * A stand-in for the Application Insights ingestion endpoint on 127.0.0.1: accepts the exporter's
 * `POST /v2.1/track` batches (JSON, gzipped or not), keeps every envelope and answers that all were
 * accepted, as the service does.
 */
export async function startIngestionServer(): Promise<IngestionServer> {
  const certificate = await createTestCertificate();
  const envelopes: Envelope[] = [];
  const server = createServer({ key: certificate.key, cert: certificate.cert }, (request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      let body = Buffer.concat(chunks);
      if (request.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      const text = body.toString('utf8').trim();
      const items = (
        text.startsWith('[') ? JSON.parse(text) : text.split('\n').map((line) => JSON.parse(line))
      ) as Envelope[];
      if (request.url?.startsWith('/v2.1/track')) envelopes.push(...items);
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ itemsReceived: items.length, itemsAccepted: items.length, errors: [] }));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    connectionString: `InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://127.0.0.1:${port}/`,
    ca: certificate.cert,
    envelopes,
    metrics() {
      const sums: Record<string, { value: number; count: number }> = {};
      for (const envelope of envelopes) {
        if (envelope.data.baseType !== 'MetricData') continue;
        for (const metric of envelope.data.baseData.metrics ?? []) {
          const key = `${metric.name} ${JSON.stringify(envelope.data.baseData.properties ?? {})}`;
          const sum = (sums[key] ??= { value: 0, count: 0 });
          sum.value += metric.value;
          sum.count += metric.count ?? 1;
        }
      }
      return sums;
    },
    messages() {
      return envelopes
        .filter((envelope) => envelope.data.baseType === 'MessageData')
        .map(({ data: { baseData } }) => ({
          message: baseData.message ?? '',
          severity: baseData.severityLevel ?? '',
          properties: baseData.properties ?? {},
        }));
    },
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
