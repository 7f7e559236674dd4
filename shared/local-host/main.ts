#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { startLocalHost } from './local-host';

/**
 * `node dist/shared/local-host/main.js [--port N] [--app-root DIR] [--functions GLOB ...]
 * [--azurite-in-memory] [--no-azurite] [--verbose]`. Prints `ready {json}` once serving; Ctrl-C stops
 * everything it started.
 */
async function main() {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      'app-root': { type: 'string' },
      functions: { type: 'string', multiple: true },
      'azurite-in-memory': { type: 'boolean', default: false },
      'no-azurite': { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
    },
  });
  const host = await startLocalHost({
    appRoot: values['app-root'] ?? process.cwd(),
    ...(values.port !== undefined ? { port: Number(values.port) } : {}),
    ...(values.functions ? { functions: values.functions } : {}),
    azurite: !values['no-azurite'],
    azuriteInMemory: values['azurite-in-memory'],
    logLevel: values.verbose ? 'debug' : 'information',
  });
  process.stdout.write(
    `ready ${JSON.stringify({ url: host.url, azurite: host.azurite ?? null, functions: host.functions })}\n`,
  );
  // Whoever reads our output may be gone (see "parent exited" below): a write then fails with EPIPE,
  // which must not crash the host before it has stopped Azurite.
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`${signal}: stopping the local host\n`);
    host.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`error while stopping: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGHUP', () => stop('SIGHUP'));
  // Whoever started this host died without stopping it (kill -9 of npm start): stop too.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) stop('parent exited');
  }, 500).unref();
}

main().catch((error: unknown) => {
  process.stderr.write(
    `local host failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
