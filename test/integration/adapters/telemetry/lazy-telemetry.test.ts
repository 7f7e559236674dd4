import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../../helpers/fixtures';

/**
 * Cold start pays for OpenTelemetry only when it is configured: a worker built from `dist/` (run
 * `npm run build` first) loads every function module and builds its runtime; the packages it loaded
 * are collected from `require.cache` and from a module resolve hook (the distro is imported lazily,
 * through the ESM loader).
 */

const run = promisify(execFile);
const otelPackage = /[\\/]node_modules[\\/](@opentelemetry|@azure[\\/]monitor-opentelemetry)/;
let dir: string;

const worker = `
const { readdirSync, readFileSync } = require('node:fs');
const { join } = require('node:path');
const dist = join(process.cwd(), 'dist');
const started = performance.now();
for (const file of readdirSync(join(dist, 'functions')).filter((name) => name.endsWith('.js'))) {
  require(join(dist, 'functions', file));
}
const { createRuntime } = require(join(dist, 'shared', 'runtime', 'composition-root.js'));
const { readAppSettings } = require(join(dist, 'shared', 'config', 'app-settings.js'));
(async () => {
  const runtime = await createRuntime(readAppSettings({
    AzureWebJobsStorage: 'UseDevelopmentStorage=true',
    AZURE_FUNCTIONS_ENVIRONMENT: 'Development',
    AUTOPILOT_CONFIG: join(process.env.PROBE_DIR, 'no-such-autopilot.yaml'),
    APPLICATIONINSIGHTS_CONNECTION_STRING: process.env.PROBE_CONNECTION_STRING,
  }));
  runtime.metrics.event('accepted', 'ACR webhook');
  const ms = performance.now() - started;
  // Telemetry starts in the background: give it time to import the distro (it does when configured).
  const resolvedNow = () => readFileSync(join(process.env.PROBE_DIR, 'resolved.txt'), 'utf8').split('\\n');
  for (let waited = 0; runtime.telemetry && waited < 20000; waited += 100) {
    if (resolvedNow().some((url) => url.includes('monitor-opentelemetry'))) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const resolved = resolvedNow();
  const loaded = [...Object.keys(require.cache), ...resolved];
  console.log(JSON.stringify({ telemetry: runtime.telemetry !== undefined, ms, loaded }));
  process.exit(0);
})().catch((error) => { console.error(error); process.exit(1); });
`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lazy-telemetry-'));
  await writeFile(join(dir, 'resolved.txt'), '');
  await writeFile(
    join(dir, 'hooks.mjs'),
    `import { appendFileSync } from 'node:fs';
let out;
export function initialize(data) { out = data.out; }
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(out, result.url + '\\n');
  return result;
}
`,
  );
  await writeFile(
    join(dir, 'register.mjs'),
    `import { register } from 'node:module';
register(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)}, { data: { out: ${JSON.stringify(join(dir, 'resolved.txt'))} } });
`,
  );
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function coldStart(connectionString: string) {
  await writeFile(join(dir, 'resolved.txt'), '');
  const { stdout } = await run(
    process.execPath,
    ['--import', pathToFileURL(join(dir, 'register.mjs')).href, '-e', worker],
    {
      cwd: repoRoot,
      env: {
        PATH: process.env.PATH ?? '',
        PROBE_DIR: dir,
        PROBE_CONNECTION_STRING: connectionString,
        APPLICATION_INSIGHTS_NO_STATSBEAT: 'true',
      },
      timeout: 60_000,
    },
  );
  const line = stdout.split('\n').find((text) => text.startsWith('{"telemetry"'));
  if (!line) throw new Error(`the worker printed no result:\n${stdout}`);
  const result = JSON.parse(line) as { telemetry: boolean; ms: number; loaded: string[] };
  return { ...result, otel: result.loaded.filter((path) => otelPackage.test(path)) };
}

describe('OpenTelemetry is loaded lazily', () => {
  it('loads no OpenTelemetry module when APPLICATIONINSIGHTS_CONNECTION_STRING is unset', async () => {
    const unset = await coldStart('');
    expect(unset.telemetry).toBe(false);
    expect(unset.otel).toEqual([]);
    // The probe sees modules at all (it would pass vacuously otherwise).
    expect(unset.loaded.some((path) => path.includes('@azure/functions'))).toBe(true);
  });

  it('loads the distro once the setting is there', async () => {
    const set = await coldStart(
      'InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://127.0.0.1:9/',
    );
    expect(set.telemetry).toBe(true);
    expect(set.otel.some((path) => path.includes('monitor-opentelemetry'))).toBe(true);
  });
});
