import type { ClaimResult, DedupeStore, Logger, QueueSender } from '../../shared/domain/ports';

/** Records log lines by level; `all()` joins them for "no secret in the logs" checks. */
export function captureLogger(): Logger & { lines: { level: string; message: string }[]; all(): string } {
  const lines: { level: string; message: string }[] = [];
  const at = (level: string) => (message: string) => void lines.push({ level, message });
  return {
    lines,
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    all: () => lines.map((line) => `${line.level} ${line.message}`).join('\n'),
  };
}

/** An in-memory queue; `failOn` makes sends to a queue throw (to test release-on-failure). */
export function memoryQueue(
  options: { failOn?: string } = {},
): QueueSender & { sent: { queue: string; message: unknown }[] } {
  const sent: { queue: string; message: unknown }[] = [];
  return {
    sent,
    async send(queue, message) {
      if (queue === options.failOn) throw new Error(`queue ${queue} is down`);
      sent.push({ queue, message: JSON.parse(JSON.stringify(message)) });
    },
  };
}

/** The Table store's decisions without a table, for unit tests of the ingest flow. */
export function memoryDedupe(options: { failComplete?: boolean } = {}): DedupeStore & {
  records: Map<string, { state: 'pending' | 'done'; at: number }>;
} {
  const records = new Map<string, { state: 'pending' | 'done'; at: number }>();
  return {
    records,
    async claim(scope, key, { now, windowMs }): Promise<ClaimResult> {
      const id = `${scope}/${key}`;
      const existing = records.get(id);
      if (existing?.state === 'pending') return 'in-flight';
      if (existing?.state === 'done' && now.getTime() - existing.at < windowMs) return 'duplicate';
      records.set(id, { state: 'pending', at: now.getTime() });
      return 'claimed';
    },
    async complete(scope, key, { now }) {
      if (options.failComplete) throw new Error('table is down');
      records.set(`${scope}/${key}`, { state: 'done', at: now.getTime() });
    },
    async release(scope, key) {
      records.delete(`${scope}/${key}`);
    },
    async prune(olderThan) {
      const old = [...records].filter(([, record]) => record.at < olderThan.getTime());
      for (const [id] of old) records.delete(id);
      return old.length;
    },
  };
}
