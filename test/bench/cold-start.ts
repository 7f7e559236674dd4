import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { azuriteConnectionString } from '../../shared/config/app-settings';
import { writeCatchAllConfig } from '../helpers/e2e-app';
import { repoRoot } from '../helpers/fixtures';
import { median, ms, printFigures, type Figure } from './stats';

/**
 * Runs in a fresh `node` (no tsx, like the Functions worker): loads the given modules the way the
 * local host does (its `@azure/functions-core` stand-in, so registrations happen), then runs the
 * `appStart` hooks (building the runtime: config, storage clients) as the worker does before the
 * first invocation. Prints both times in ms. The stand-in module itself loads before the clock starts.
 */
const childScript = `
const { loadFunctions } = require(${JSON.stringify(join(repoRoot, 'dist', 'shared', 'local-host', 'function-registry.js'))});
const modules = JSON.parse(process.argv[1]);
const started = performance.now();
const { registrations, hooks } = loadFunctions(modules);
const imported = performance.now() - started;
(async () => {
  for (const hook of hooks.get('appStart') ?? []) await hook({ hookData: {}, appHookData: {}, functionAppDirectory: '.' });
  const ready = performance.now() - started;
  process.stdout.write('\\n' + JSON.stringify({ imported, ready, registered: registrations.length }));
})();
`;

interface ColdStart {
  imported: number;
  ready: number;
  registered: number;
}

async function timeImport(modules: string[]): Promise<ColdStart> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['-e', childScript, JSON.stringify(modules)],
    {
      cwd: repoRoot,
      env: {
        PATH: process.env.PATH ?? '',
        AUTOPILOT_CONFIG: writeCatchAllConfig(),
        AzureWebJobsStorage: azuriteConnectionString(),
        TEAMS_PLATFORM: 'https://x.logic.azure.com/w',
        GH_TOKEN: 'x',
      },
    },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as ColdStart;
}

/**
 * Cold start: importing every built function module (what the Functions worker does first; `app.*`
 * registers at import) beside importing `@azure/functions` alone, each in a fresh process,
 * alternating, `runs` times; medians. Then what the appStart hook adds (the runtime: config and
 * storage clients); each function's own modules load at its first invocation.
 */
export async function benchColdStart(runs: number): Promise<Figure[]> {
  const dir = join(repoRoot, 'dist', 'functions');
  const functions = readdirSync(dir)
    .filter((file) => file.endsWith('.js'))
    .map((file) => join(dir, file));
  const bare = [require.resolve('@azure/functions', { paths: [repoRoot] })];
  const app: ColdStart[] = [];
  const alone: number[] = [];
  for (let run = 0; run < runs; run++) {
    alone.push((await timeImport(bare)).imported);
    app.push(await timeImport(functions));
  }
  const appMs = median(app.map((result) => result.imported));
  const readyMs = median(app.map((result) => result.ready));
  const bareMs = median(alone);
  const figures: Figure[] = [
    {
      name: `import all ${functions.length} function modules (${app[0]?.registered ?? 0} registered)`,
      value: ms(appMs),
      target: '≤ 120 ms',
      ok: appMs <= 120,
    },
    { name: 'import @azure/functions alone', value: ms(bareMs) },
    { name: 'ratio', value: `${(appMs / bareMs).toFixed(1)}×` },
    { name: 'import + appStart (config, storage clients)', value: ms(readyMs) },
  ];
  printFigures(`Cold start: module import in a fresh node process, median of ${runs}`, figures);
  return figures;
}
