import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * What is already running on this machine, so the local host can reuse what an earlier run left
 * behind (an Azurite after `kill -9`) or name what holds a port instead of failing with a bare
 * EADDRINUSE. Reads Linux's /proc; elsewhere every lookup answers "unknown" and the callers fall
 * back to plainer messages.
 */

export interface LocalProcess {
  pid: number;
  /** The command line, arguments joined by spaces. */
  command: string;
}

/** True when a process with this id exists (signal 0 checks without signalling). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The process listening on a loopback or wildcard TCP port, when /proc can tell. */
export function processListeningOn(port: number): LocalProcess | undefined {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readLines(table).slice(1)) {
      const fields = line.trim().split(/\s+/);
      const local = fields[1] ?? '';
      // State 0A = LISTEN; the port is the hex after the colon.
      if (fields[3] === '0A' && parseInt(local.split(':')[1] ?? '', 16) === port && fields[9])
        inodes.add(fields[9]);
    }
  }
  if (inodes.size === 0) return undefined;
  for (const pid of pids()) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
        const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
        if (inode && inodes.has(inode)) return { pid, command: commandOf(pid) };
      } catch {
        // The descriptor closed meanwhile.
      }
    }
  }
  return undefined;
}

/** An Azurite process serving `location` (its `--location`), with the ports from its command line. */
export function azuriteServing(
  location: string,
): (LocalProcess & { ports: { blob: number; queue: number; table: number } }) | undefined {
  const wanted = resolve(location);
  for (const pid of pids()) {
    const args = argsOf(pid);
    if (!args.some((arg) => /azurite(\.js)?$/.test(arg))) continue;
    const value = (flag: string) => args[args.indexOf(flag) + 1];
    const at = value('--location');
    if (args.indexOf('--location') === -1 || !at || resolve(cwdOf(pid), at) !== wanted) continue;
    const ports = {
      blob: Number(value('--blobPort') ?? 10000),
      queue: Number(value('--queuePort') ?? 10001),
      table: Number(value('--tablePort') ?? 10002),
    };
    if (Object.values(ports).every(Number.isInteger)) return { pid, command: args.join(' '), ports };
  }
  return undefined;
}

function pids(): number[] {
  try {
    return readdirSync('/proc')
      .filter((name) => /^\d+$/.test(name))
      .map(Number)
      .filter((pid) => pid !== process.pid);
  } catch {
    return [];
  }
}

function argsOf(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return [];
  }
}

function commandOf(pid: number): string {
  return argsOf(pid).join(' ') || `pid ${pid}`;
}

function cwdOf(pid: number): string {
  try {
    return readlinkSync(`/proc/${pid}/cwd`);
  } catch {
    return process.cwd();
  }
}

function readLines(path: string): string[] {
  try {
    return readFileSync(path, 'utf8').split('\n');
  } catch {
    return [];
  }
}
