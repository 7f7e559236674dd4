import type { Config } from '../config/schema';
import type { Deferral } from '../messages/queue-contract';
import type { Clock, DedupeStore, Logger, QueueSender, StateStore } from '../ports';

/**
 * Posts a built Teams message to a Workflows URL (shared/adapters/teams/post-to-workflows.ts). Throws a
 * `DomainError` that is not `retryable` when posting again cannot help (bad URL, 4xx), and a retryable
 * one (or anything else) when a later attempt may succeed.
 */
export interface CardPoster {
  post(
    url: string,
    message: unknown,
    target: { settingName: string; allowedHosts?: readonly string[]; channel?: string },
  ): Promise<unknown>;
}

/** What delivering a notifications-queue message needs; the function builds it from the runtime. */
export interface NotifyDeps {
  /** Uses `teams`, `notifications.burstWindow` and `ingress.dedupeWindow`. */
  config: Pick<Config, 'teams' | 'notifications' | 'ingress'>;
  /** Reads the app setting a channel's `urlFrom` names. */
  setting(name: string): string | undefined;
  poster: CardPoster;
  queue: QueueSender;
  dedupe: DedupeStore;
  state: StateStore;
  clock: Clock;
  log: Logger;
}

/** What became of one notifications-queue message. */
export type NotifyOutcome =
  /** The card was posted to the channel. */
  | { kind: 'posted'; channel: string }
  /** That card was posted (or that push folded) before: a redelivery, nothing done. */
  | { kind: 'duplicate'; channel: string }
  /** The push joined a burst whose flush message is (or was already) scheduled. */
  | { kind: 'folded'; channel: string; burstId: string; scheduled: boolean }
  /** A flush message came before its burst's window ended: the runner sends it again after the delay. */
  | Deferral
  /** A flush message with nothing to flush (the burst was already sent). */
  | { kind: 'nothing-to-flush'; channel: string; reason: string };

/** Dedupe scope of posted cards and folded pushes. */
export const notifyScope = 'notify';
/** State scope of open bursts. */
export const burstScope = 'burst';
