import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { azuriteConnectionString } from '../config/app-settings';
import { freePort, isListening } from './free-port';
import { azuriteServing, isAlive } from './local-processes';

export interface AzuriteHandle {
  connectionString: string;
  ports: { blob: number; queue: number; table: number };
  pid: number | undefined;
  /** Started by an earlier run that did not stop it (a crash, kill -9) and adopted by this one. */
  reused: boolean;
  stop(): Promise<void>;
}

export interface AzuriteOptions {
  /** Keep nothing on disk (tests, benchmarks); otherwise data lives in `location`. */
  inMemory: boolean;
  location?: string;
  /** Prefer 10000–10002 (what Storage Explorer expects) when they are free; else any free ports. */
  preferDefaultPorts?: boolean;
  onLine?: (line: string) => void;
}

/**
 * Starts the npm `azurite` package as a child process on loopback. Stopping sends SIGTERM and, after a
 * grace period, SIGKILL: Azurite can ignore SIGTERM while it rebuilds its in-memory index
 * (reference/local-runtime.md).
 */
export async function startAzurite(options: AzuriteOptions): Promise<AzuriteHandle> {
  if (!options.inMemory) {
    // A second Azurite over the same folder would serve a stale copy of it (events arriving minutes
    // late, twice): adopt the one an earlier run left behind instead.
    const leftover = azuriteServing(options.location ?? '.azurite');
    if (leftover && (await isListening(leftover.ports.queue))) {
      return {
        connectionString: azuriteConnectionString('127.0.0.1', leftover.ports),
        ports: leftover.ports,
        pid: leftover.pid,
        reused: true,
        stop: () => stopPid(leftover.pid),
      };
    }
  }
  const ports = await choosePorts(options.preferDefaultPorts ?? false);
  const bin = azuriteBin();
  const args = [
    bin,
    '--silent',
    '--disableTelemetry',
    '--skipApiVersionCheck',
    '--loose',
    '--blobHost',
    '127.0.0.1',
    '--queueHost',
    '127.0.0.1',
    '--tableHost',
    '127.0.0.1',
    '--blobPort',
    String(ports.blob),
    '--queuePort',
    String(ports.queue),
    '--tablePort',
    String(ports.table),
  ];
  if (options.inMemory) args.push('--inMemoryPersistence');
  else {
    const location = options.location ?? '.azurite';
    mkdirSync(location, { recursive: true });
    args.push('--location', location);
  }
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  await waitUntilListening(child, 3, options.onLine);
  return {
    connectionString: azuriteConnectionString('127.0.0.1', ports),
    ports,
    pid: child.pid,
    reused: false,
    stop: () => stopChild(child),
  };
}

async function choosePorts(preferDefault: boolean) {
  if (preferDefault) {
    const busy = await Promise.all([10000, 10001, 10002].map(isListening));
    if (!busy.some(Boolean)) return { blob: 10000, queue: 10001, table: 10002 };
  }
  return { blob: await freePort(), queue: await freePort(), table: await freePort() };
}

function azuriteBin(): string {
  let packageJson: string;
  try {
    packageJson = require.resolve('azurite/package.json');
  } catch {
    throw new Error(
      'Azurite is not installed (it is a devDependency); run npm ci, or set AzureWebJobsStorage to a real storage connection string',
    );
  }
  return join(dirname(packageJson), 'dist', 'src', 'azurite.js');
}

function waitUntilListening(
  child: ChildProcess,
  services: number,
  onLine?: (line: string) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let listening = 0;
    let output = '';
    let settled = false;
    const timer = setTimeout(
      () => fail(new Error(`Azurite did not start within 30 s:\n${output.slice(-2000)}`)),
      30_000,
    );
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    const onData = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      output += text;
      for (const line of text.split('\n')) {
        if (line.trim()) onLine?.(line.trim());
        if (/successfully listening/i.test(line) && ++listening === services && !settled) {
          settled = true;
          clearTimeout(timer);
          resolve();
        }
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) =>
      fail(new Error(`Azurite exited with code ${code}:\n${output.slice(-2000)}`)),
    );
  });
}

/** SIGTERM, then SIGKILL after the grace period, for a process this one did not start. */
async function stopPid(pid: number, graceMs = 3_000): Promise<void> {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Gone meanwhile.
  }
}

export function stopChild(child: ChildProcess, graceMs = 3_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
