import { oneLine } from '../adapters/log/one-line';

/** Readable local logs: `12:00:01.234 acrWebhook      info  accepted …`, one line per message. */
export type HostLogLevel = 'trace' | 'debug' | 'information' | 'warning' | 'error' | 'critical' | 'none';

const rank: Record<HostLogLevel, number> = {
  trace: 0,
  debug: 1,
  information: 2,
  warning: 3,
  error: 4,
  critical: 5,
  none: 6,
};
const label: Record<HostLogLevel, string> = {
  trace: 'trace',
  debug: 'debug',
  information: 'info ',
  warning: 'warn ',
  error: 'error',
  critical: 'crit ',
  none: '     ',
};

export interface HostLog {
  (level: HostLogLevel, source: string, message: string): void;
}

export function createHostLog(options: { minLevel: HostLogLevel; write: (line: string) => void }): HostLog {
  return (level, source, message) => {
    if (rank[level] < rank[options.minLevel]) return;
    const time = new Date().toISOString().slice(11, 23);
    // One line per message, whatever it holds (function output, error texts, request paths).
    options.write(`${time} ${oneLine(source).padEnd(16)} ${label[level]} ${oneLine(message)}`);
  };
}

/**
 * Lines written together once per turn of the event loop: one write call for a burst of lines instead
 * of one each (a write to a pipe is synchronous, and under load one line per request cost the host
 * about a tenth of its CPU). What is still buffered is written when the process exits.
 */
export function createLineWriter(stream: { write(text: string): unknown }): {
  write(line: string): void;
  flush(): void;
} {
  let pending: string[] = [];
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (pending.length === 0) return;
    const text = pending.join('');
    pending = [];
    stream.write(text);
  };
  process.on('exit', flush);
  return {
    write(line) {
      pending.push(`${line}\n`);
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
    flush,
  };
}

/** Joins log arguments the way console.log would, without throwing on odd values. */
export function formatLogArgs(args: readonly unknown[]): string {
  return args
    .map((arg) => {
      if (typeof arg === 'string') return arg;
      if (arg instanceof Error) return arg.stack ?? arg.message;
      try {
        return JSON.stringify(arg);
      } catch {
        return String(arg);
      }
    })
    .join(' ');
}
