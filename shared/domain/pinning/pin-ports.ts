import type { Config } from '../config/schema';
import type { GitWriter, Logger, PullRequestOpener, QueueSender } from '../ports';

/** What `pinImage` needs; the composition root builds it from the worker's runtime. */
export interface PinDeps {
  /** Uses `gitops` (the target repositories) and `registryAliases` (other names of a registry). */
  config: Pick<Config, 'gitops' | 'registryAliases'>;
  /** Reads an app setting a gitops repo names (`tokenFrom`, `usernameFrom`). */
  setting(name: string): string | undefined;
  writer: GitWriter;
  pullRequests: PullRequestOpener;
  /** Sends outcome notifications. */
  queue: QueueSender;
  log: Logger;
}
