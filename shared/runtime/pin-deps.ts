import { createGitWriteBack, prBranchName, type GitWriteBack } from '../adapters/git/git-write-back';
import { createPullRequests, type PullRequests } from '../adapters/git/pull-requests';
import { consoleLogger } from '../adapters/log/console-logger';
import type { PinDeps } from '../domain/pinning/pin-image';
import type { Logger } from '../domain/ports';
import type { Runtime } from './composition-root';

interface GitAdapters {
  writer: GitWriteBack;
  pullRequests: PullRequests;
}

const adapters = new WeakMap<Runtime, GitAdapters>();

/**
 * What `pinRequest` needs, from the worker's runtime. The git writer is built once per runtime: it
 * queues concurrent pins to the same branch in one lane (a burst shares a fetch and a push), which
 * only works when every invocation of the worker uses the same instance. Its lines go to the console
 * (they may be about several invocations at once) and carry the event ids.
 */
export function pinDepsFor(runtime: Runtime, log: Logger): PinDeps {
  let built = adapters.get(runtime);
  if (!built) {
    built = {
      writer: createGitWriteBack({ log: (message) => consoleLogger.info(message) }),
      pullRequests: createPullRequests(),
    };
    adapters.set(runtime, built);
  }
  return {
    config: runtime.loaded.config,
    setting: (name) => runtime.settings.env[name],
    writer: built.writer,
    pullRequests: built.pullRequests,
    pullRequestBranch: prBranchName,
    queue: runtime.queue,
    log,
  };
}
