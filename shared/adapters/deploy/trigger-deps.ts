import type { Clock, Logger } from '../../domain/ports';
import type { OutboundClient } from '../http/outbound-client';
import type { AccessTokens } from './access-tokens';

/** What the deploy triggers share; the composition root (or the CLI) builds it once. */
export interface TriggerDeps {
  /** The one outbound client: every request to a target goes through it (allow-list, redaction). */
  http: OutboundClient;
  /** Reads an app setting a target names (`tokenFrom`, `urlFrom`, `secretFrom`). */
  setting(name: string): string | undefined;
  /** Entra tokens (`auth: entra`, `container-app`). */
  tokens: AccessTokens;
  clock: Clock;
  sleep(ms: number): Promise<void>;
  log: Pick<Logger, 'debug' | 'info' | 'warn'>;
  /** Finding the run of a 204 dispatch: tries, the n-th after n × `delayMs`. Default 3 × 1 s (6 s in all). */
  runLookup?: { attempts: number; delayMs: number };
  /** Following an ARM update: for at most `timeoutMs` (default 10 min), every `pollMs` unless ARM says. */
  armFollow?: { timeoutMs: number; pollMs: number };
}
