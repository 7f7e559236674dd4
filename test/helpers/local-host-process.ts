import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { azuriteConnectionString } from '../../shared/config/app-settings';
import { stopChild } from '../../shared/local-host/azurite';
import { repoRoot } from './fixtures';

export interface RunningHost {
  url: string;
  storage: string;
  functions: string[];
  /** Everything the host printed so far (stdout and stderr). */
  output(): string;
  /** Resolves when a printed line matches. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  stop(): Promise<void>;
  child: ChildProcess;
}

/**
 * Starts the built local host (`dist/`, built by `npm test`'s pretest) as its own process, exactly as
 * `npm start` does, with in-memory Azurite on free ports.
 */
export async function startLocalHostProcess(
  options: { env?: Record<string, string>; args?: string[]; appRoot?: string } = {},
): Promise<RunningHost> {
  const main = join(repoRoot, 'dist', 'shared', 'local-host', 'main.js');
  const child = spawn(
    process.execPath,
    [
      main,
      '--port',
      '0',
      '--azurite-in-memory',
      '--app-root',
      options.appRoot ?? repoRoot,
      ...(options.args ?? []),
    ],
    {
      cwd: repoRoot,
      env: {
        PATH: process.env.PATH ?? '',
        AzureWebJobsStorage: 'UseDevelopmentStorage=true',
        FUNCTIONS_WORKER_RUNTIME: 'node',
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  const onData = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    for (const waiter of [...waiters]) {
      const line = output.split('\n').find((candidate) => waiter.pattern.test(candidate));
      if (line !== undefined) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const waitForLine = (pattern: RegExp, timeoutMs = 30_000) =>
    new Promise<string>((resolve, reject) => {
      const existing = output.split('\n').find((line) => pattern.test(line));
      if (existing !== undefined) return resolve(existing);
      const timer = setTimeout(
        () =>
          reject(
            new Error(`no line matching ${pattern} within ${timeoutMs} ms; output:\n${output.slice(-3000)}`),
          ),
        timeoutMs,
      );
      waiters.push({
        pattern,
        resolve: (line) => {
          clearTimeout(timer);
          resolve(line);
        },
      });
      child.once('exit', () => reject(new Error(`local host exited; output:\n${output.slice(-3000)}`)));
    });
  const ready = await waitForLine(/^ready /, 60_000);
  const info = JSON.parse(ready.slice('ready '.length)) as {
    url: string;
    azurite: { blob: number; queue: number; table: number } | null;
    functions: string[];
  };
  return {
    url: info.url,
    storage: info.azurite
      ? azuriteConnectionString('127.0.0.1', info.azurite)
      : (options.env?.AzureWebJobsStorage ?? ''),
    functions: info.functions,
    output: () => output,
    waitForLine,
    stop: () => stopChild(child, 10_000),
    child,
  };
}
