import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stopChild } from '../../shared/local-host/azurite';
import { azuriteServing, isAlive } from '../../shared/local-host/local-processes';
import { repoRoot } from '../helpers/fixtures';

/**
 * The local host as a developer runs it (Azurite persisted to the app folder), killed the hard way:
 * the next start must adopt the Azurite the dead run left behind instead of starting a second one over
 * the same folder, SIGTERM must stop everything, and an occupied port must be named.
 */
const appRoot = mkdtempSync(join(tmpdir(), 'local-host-crash-'));
copyFileSync(join(repoRoot, 'host.json'), join(appRoot, 'host.json'));
writeFileSync(
  join(appRoot, 'local.settings.json'),
  JSON.stringify({ IsEncrypted: false, Values: { AzureWebJobsStorage: 'UseDevelopmentStorage=true' } }),
);
const started: ChildProcess[] = [];

function startHost(port = '0'): { child: ChildProcess; output: () => string; ready: Promise<string> } {
  const child = spawn(
    process.execPath,
    [
      join(repoRoot, 'dist', 'shared', 'local-host', 'main.js'),
      '--app-root',
      appRoot,
      '--port',
      port,
      '--functions',
      join(repoRoot, 'dist', 'functions', 'health.js'),
    ],
    { cwd: appRoot, env: { PATH: process.env.PATH ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  started.push(child);
  let output = '';
  const ready = new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const line = output.split('\n').find((candidate) => candidate.startsWith('ready '));
      if (line) resolve(line);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', () => reject(new Error(`host exited:\n${output}`)));
  });
  ready.catch(() => undefined);
  return { child, output: () => output, ready };
}

afterAll(async () => {
  for (const child of started) await stopChild(child, 5_000);
  const leftover = azuriteServing(join(appRoot, '.azurite'));
  if (leftover) process.kill(leftover.pid, 'SIGKILL');
  rmSync(appRoot, { recursive: true, force: true });
});

describe('the local host after a crash', () => {
  it('adopts the Azurite a killed run left behind, and SIGTERM stops everything', async () => {
    const first = startHost();
    await first.ready;
    const azurite = azuriteServing(join(appRoot, '.azurite'));
    expect(azurite).toBeDefined();

    first.child.kill('SIGKILL');
    await once(first.child, 'exit');
    expect(isAlive(azurite?.pid ?? -1)).toBe(true);

    const second = startHost();
    const ready = JSON.parse((await second.ready).slice('ready '.length)) as { url: string };
    expect(second.output()).toContain(`reusing Azurite (pid ${azurite?.pid})`);
    expect(azuriteServing(join(appRoot, '.azurite'))?.pid).toBe(azurite?.pid);
    expect((await fetch(`${ready.url}/api/health`)).status).toBe(200);

    second.child.kill('SIGTERM');
    await once(second.child, 'exit');
    expect(second.output()).toContain('SIGTERM: stopping the local host');
    await expect.poll(() => isAlive(azurite?.pid ?? -1), { timeout: 10_000 }).toBe(false);
  }, 90_000);

  it('names the process holding the port instead of a bare EADDRINUSE', async () => {
    const blocker = createServer();
    blocker.listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    const { port } = blocker.address() as { port: number };
    try {
      const host = startHost(String(port));
      await expect(host.ready).rejects.toThrow(
        new RegExp(
          `port ${port} is already in use by another process \\(pid ${process.pid}: .*\\); stop it \\(kill ${process.pid}\\)`,
        ),
      );
    } finally {
      blocker.close();
    }
  }, 60_000);
});
