import type { Env } from '../config/app-settings';

/** What a CLI command may touch; tests pass their own. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  cwd: string;
  env: Env;
  /** Whether stderr is a terminal (progress bars are drawn only then). */
  stderrIsTTY?: boolean;
}

/** Exit codes shared by every command: 0 fine, 1 the input has problems, 2 usage or config error. */
export const exitCodes = { ok: 0, problems: 1, usage: 2 } as const;

/** Thrown for bad arguments or unusable files; the dispatcher prints it and exits 2. */
export class UsageError extends Error {}
