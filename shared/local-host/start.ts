#!/usr/bin/env node
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * `npm start`: with Azure Functions Core Tools on PATH, `func start` (the real host); otherwise the
 * built-in local host, which serves the same registered functions. Extra arguments pass through.
 */
function onPath(command: string): boolean {
  const path = process.env.PATH ?? '';
  return path.split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

const args = process.argv.slice(2);
const [command, commandArgs] = onPath('func')
  ? ['func', ['start', ...args]]
  : [process.execPath, [join(__dirname, 'main.js'), ...args]];
if (command === 'func') {
  console.log(
    'Azure Functions Core Tools found: running func start (start Azurite yourself: npx azurite --silent)',
  );
} else {
  console.log('Azure Functions Core Tools not found: running the built-in local host');
}
const child = spawn(command, commandArgs, { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
// `kill -TERM <npm>` ends npm and its shell without passing the signal on: when this process is
// orphaned, stop the host (and with it Azurite) as SIGTERM would.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) child.kill('SIGTERM');
}, 500).unref();
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
