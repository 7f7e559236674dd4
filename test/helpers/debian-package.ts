import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access, open, readFile, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * Installs a Debian package the tests need (docker-registry, apache2-utils, openssl) when its binary is
 * missing: once per machine, safe when several test files (vitest forks) ask at the same time. One
 * process takes a lock file (O_EXCL, holding its pid; a dead holder's lock is taken over) and runs
 * `apt-get install` (then `apt-get update` and again, when the package lists are missing or stale);
 * the others wait for the binary to appear. A fresh machine needs ~5 s in all (measured: update 1.6 s,
 * install 2.3 s), well inside a 60 s hook timeout.
 */

const run = promisify(execFile);
const lockPath = join(tmpdir(), 'acr-autopilot-test-apt.lock');
const installTimeoutMs = 150_000;

export async function ensureDebianPackage(binary: string, packageName: string): Promise<void> {
  if (await isExecutable(binary)) return;
  const deadline = Date.now() + installTimeoutMs;
  for (;;) {
    const lock = await tryLock();
    if (lock) {
      try {
        if (!(await isExecutable(binary))) await aptInstall(binary, packageName);
      } finally {
        await lock.close();
        await unlink(lockPath).catch(() => undefined);
      }
      return;
    }
    if (await isExecutable(binary)) return;
    if (Date.now() > deadline) {
      throw new Error(
        `${binary} is still missing after ${installTimeoutMs / 1000} s waiting for ${lockPath}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function aptInstall(binary: string, packageName: string): Promise<void> {
  const hint = `install it with: apt-get install -y --no-install-recommends ${packageName}`;
  if (process.getuid?.() !== 0) throw new Error(`${binary} is missing and the tests are not root; ${hint}`);
  if (!(await isExecutable('/usr/bin/apt-get')))
    throw new Error(`${binary} is missing and apt-get is not here`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const apt = (...args: string[]) =>
    run('apt-get', ['-o', 'DPkg::Lock::Timeout=120', ...args], { env, timeout: installTimeoutMs });
  const install = () => apt('install', '-y', '--no-install-recommends', packageName);
  try {
    await install();
  } catch {
    try {
      await apt('update');
      await install();
    } catch (error) {
      const detail = (error as { stderr?: string }).stderr?.trim() || String(error);
      throw new Error(`could not install ${packageName} (for ${binary}): ${detail}\n${hint}`);
    }
  }
  if (!(await isExecutable(binary))) throw new Error(`${packageName} installed but ${binary} is missing`);
}

async function tryLock() {
  try {
    const handle = await open(lockPath, 'wx');
    await handle.writeFile(String(process.pid));
    return handle;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const holder = Number((await readFile(lockPath, 'utf8').catch(() => '')).trim());
    if (holder > 0 && !isAlive(holder)) await unlink(lockPath).catch(() => undefined);
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
