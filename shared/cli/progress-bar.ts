import type { CliIo } from './cli-io';

export interface ProgressBar {
  /** Redraws `label [█████░░░░░] done/total unit`; throttled to ~10 redraws a second. */
  update(label: string, done: number, total: number, unit: string): void;
  /** Clears the line (before anything else is printed). */
  clear(): void;
}

const width = 24;

/**
 * A one-line progress bar on stderr, only when stderr is a terminal (never in pipes, CI logs or
 * `--json` output read by a program), redrawn in place with `\r`.
 */
export function progressBar(io: CliIo, now: () => number = Date.now): ProgressBar {
  if (!io.stderrIsTTY) return { update: () => undefined, clear: () => undefined };
  let shown = false;
  let last = 0;
  return {
    update(label, done, total, unit) {
      const time = now();
      if (done < total && time - last < 100) return;
      last = time;
      const filled = total > 0 ? Math.round((done / total) * width) : width;
      const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
      io.stderr(`\r\u001b[2K${label} [${bar}] ${done}/${total} ${unit}`);
      shown = true;
    },
    clear() {
      if (shown) io.stderr('\r\u001b[2K');
      shown = false;
    },
  };
}
