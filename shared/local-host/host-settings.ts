import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The parts of host.json the local host honours, with the Functions defaults. */
export interface HostJson {
  routePrefix: string;
  queues: {
    maxDequeueCount: number;
    visibilityTimeoutSeconds: number;
    batchSize: number;
    maxPollingIntervalMs: number;
    messageEncoding: 'base64' | 'none';
  };
}

/** host.json as written ({} when there is none). */
export function readRawHostJson(appRoot: string): Record<string, unknown> {
  const path = join(appRoot, 'host.json');
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>) : {};
}

export function readHostJson(appRoot: string): HostJson {
  const json = readRawHostJson(appRoot);
  const extensions = (json.extensions ?? {}) as Record<string, Record<string, unknown> | undefined>;
  const queues = extensions.queues ?? {};
  const http = extensions.http ?? {};
  return {
    routePrefix: typeof http.routePrefix === 'string' ? http.routePrefix : 'api',
    queues: {
      maxDequeueCount: numberOr(queues.maxDequeueCount, 5),
      visibilityTimeoutSeconds: timeSpanSeconds(queues.visibilityTimeout, 0),
      batchSize: numberOr(queues.batchSize, 16),
      // Core Tools polls at most every 2 s locally; a longer host.json value is capped the same way.
      maxPollingIntervalMs: Math.min(timeSpanSeconds(queues.maxPollingInterval, 2) * 1000, 2000),
      messageEncoding: queues.messageEncoding === 'none' ? 'none' : 'base64',
    },
  };
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

/** `hh:mm:ss` (optionally `d.hh:mm:ss`) → seconds. */
export function timeSpanSeconds(value: unknown, fallback: number): number {
  if (typeof value !== 'string') return fallback;
  const match = /^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d+))?$/.exec(value.trim());
  if (!match) return fallback;
  const [, days, hours, minutes, seconds, fraction] = match;
  return (
    Number(days ?? 0) * 86_400 +
    Number(hours) * 3_600 +
    Number(minutes) * 60 +
    Number(seconds) +
    Number(`0.${fraction ?? 0}`)
  );
}
