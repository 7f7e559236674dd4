import { parseConfig } from '../../shared/config/load-config';
import type { Config } from '../../shared/domain/config/schema';
import type { GitReader, GitTree } from '../../shared/domain/ports';
import type { RegistryBackend } from '../../shared/domain/retention/retention-ports';
import type { RetentionDeps } from '../../shared/domain/retention/run-retention';
import { captureLogger, memoryQueue } from './fakes';
import { memoryStateStore, type MemoryStateStore } from './memory-state-store';

/** A git reader over files in memory, or one that fails like an unreachable host. */
export function memoryGitReader(repos: Record<string, Record<string, string> | Error>): GitReader & {
  reads: string[];
} {
  const reads: string[] = [];
  return {
    reads,
    async read<T>(input: { url: string }, reader: (tree: GitTree) => Promise<T>): Promise<T> {
      reads.push(input.url);
      const files = repos[input.url];
      if (files === undefined) throw new Error(`no such repository ${input.url}`);
      if (files instanceof Error) throw files;
      const tree: GitTree = {
        list: async () => Object.keys(files).sort(),
        read: async (path) => {
          const content = files[path];
          if (content === undefined) throw new Error(`${path} is not a file`);
          return content;
        },
      };
      return reader(tree);
    },
  };
}

export interface TestRetentionDeps extends RetentionDeps {
  state: MemoryStateStore;
  queue: ReturnType<typeof memoryQueue>;
  log: ReturnType<typeof captureLogger>;
  /** Waits the apply step asked for (no real sleeping). */
  waits: number[];
}

/**
 * Retention deps for domain tests: config from YAML, the given backends by registry name, state,
 * queue and log in memory, a fixed (or given) clock and sleeps that return at once.
 */
export function retentionTestDeps(options: {
  yaml: string;
  backends: Record<string, RegistryBackend>;
  git?: GitReader;
  now?: () => Date;
  settings?: Record<string, string>;
}): TestRetentionDeps & { config: Config } {
  const config = parseConfig(options.yaml);
  const waits: number[] = [];
  return {
    config,
    setting: (name) => options.settings?.[name],
    backendFor: (registry) => {
      const backend = options.backends[registry.name];
      if (!backend) throw new Error(`no test backend for registry ${registry.name}`);
      return backend;
    },
    git: options.git ?? memoryGitReader({}),
    state: memoryStateStore(),
    queue: memoryQueue(),
    clock: options.now ?? (() => new Date('2026-06-01T00:00:00Z')),
    log: captureLogger(),
    sleep: async (ms) => void waits.push(ms),
    random: () => 0.5,
    waits,
  };
}
