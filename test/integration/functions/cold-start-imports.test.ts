import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../helpers/fixtures';

/**
 * Cold start: the Functions host imports every function module before the first invocation, so those
 * imports load only @azure/functions and small modules; the config schema, the storage SDKs and each
 * action's libraries load with the runtime or at first use (README "Performance").
 */
const lazyPackages = [
  'zod',
  'yaml',
  '@azure/data-tables',
  '@azure/storage-queue',
  '@azure/identity',
  '@azure/container-registry',
  'isomorphic-git',
  'jose',
  'adaptivecards',
  'croner',
  'standardwebhooks',
  '@azure/monitor-opentelemetry',
];

/** In a fresh process: registers every function as the local host does; lists the packages loaded. */
const childScript = `
const { loadFunctions } = require(${JSON.stringify(join(repoRoot, 'shared', 'local-host', 'function-registry.ts'))});
const { registrations, hooks } = loadFunctions(JSON.parse(process.argv[1]));
const packages = new Set(
  Object.keys(require.cache)
    .map((file) => /node_modules[\\\\/]((?:@[^\\\\/]+[\\\\/])?[^\\\\/]+)/.exec(file)?.[1]?.replace('\\\\', '/'))
    .filter(Boolean),
);
process.stdout.write(JSON.stringify({ registered: registrations.map((r) => r.name), hooks: [...hooks.keys()], packages: [...packages] }));
`;

describe('importing the function modules (cold start)', () => {
  it('registers every function without loading the config schema, storage SDKs or action libraries', async () => {
    const modules = readdirSync(join(repoRoot, 'functions'))
      .filter((file) => file.endsWith('.ts'))
      .map((file) => join(repoRoot, 'functions', file));
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', '-e', childScript, JSON.stringify(modules)],
      { cwd: repoRoot },
    );
    const loaded = JSON.parse(stdout) as { registered: string[]; hooks: string[]; packages: string[] };
    expect(loaded.registered).toHaveLength(modules.length - 1); // app-start.ts registers a hook
    expect(loaded.hooks).toEqual(['appStart']);
    expect(loaded.packages).toContain('@azure/functions');
    expect(loaded.packages.filter((name) => lazyPackages.includes(name))).toEqual([]);
  });
});
