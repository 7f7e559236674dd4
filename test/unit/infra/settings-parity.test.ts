import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { knownAppSettings, storageSetting } from '../../../shared/config/app-settings';
import { repoRoot } from '../../helpers/fixtures';

/**
 * One list of app settings (knownAppSettings in shared/config/app-settings.ts), four places that must
 * agree with it: the code that reads them, infra/app.bicep (Azure), local.settings.example.json (local)
 * and README's "App settings" table. Each failure names the setting and the file to fix. The settings
 * autopilot.yaml names (`tokenFrom: GITOPS_TOKEN`) are the user's, not the app's: they are checked
 * against autopilot.example.yaml and reach Azure through SECRET_SETTINGS as Key Vault references.
 */
const read = (path: string) => readFileSync(join(repoRoot, path), 'utf8');
type Where = (typeof knownAppSettings)[keyof typeof knownAppSettings]['where'];
const catalog = new Map<string, { where: Where; readBy: string }>(Object.entries(knownAppSettings));
const inAzure = (where: Where) => where === 'azure' || where === 'both';
const locally = (where: Where) => where === 'local' || where === 'both';

/** Variables of the OS, not app settings, that code may read. */
const notAppSettings = new Set(['PATH']);

/** Every .ts file under `dir`. */
function sources(dir: string): string[] {
  return readdirSync(join(repoRoot, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(repoRoot, path)).isDirectory()) return sources(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/**
 * App settings the code reads, with the first file reading each: `env.NAME`, the storage connection's
 * `env[`${connection}__x`]` forms, and names exported as `…Setting = 'NAME'` constants.
 */
function settingsReadByCode(): Map<string, string> {
  const found = new Map<string, string>();
  const add = (name: string, file: string) => {
    if (!notAppSettings.has(name) && !found.has(name)) found.set(name, file);
  };
  for (const file of [...sources('shared'), ...sources('functions')]) {
    const text = read(file);
    for (const match of text.matchAll(/\benv\.([A-Z][A-Za-z0-9_]*)/g)) add(match[1] as string, file);
    for (const match of text.matchAll(/env\[`\$\{connection\}(__\w+)`\]/g))
      add(`${storageSetting}${match[1]}`, file);
    for (const match of text.matchAll(/export const \w*Setting\s*=\s*'([A-Za-z_][A-Za-z0-9_]*)'/g)) {
      add(match[1] as string, file);
    }
  }
  return found;
}

/** Names infra/app.bicep puts in the app's settings: `{ name: 'X', value: … }` entries. */
function settingsSetByInfra(): Set<string> {
  const text = read('infra/app.bicep');
  return new Set(
    [...text.matchAll(/\bname: '([A-Za-z_][A-Za-z0-9_]*)'\s*(?:,|\n)\s*value:/g)].map((m) => m[1] as string),
  );
}

const example = (JSON.parse(read('local.settings.example.json')) as { Values: Record<string, string> })
  .Values;

/** The text of README's `## title` section. */
function readmeSection(title: string): string {
  const readme = read('README.md');
  const start = readme.indexOf(`\n## ${title}\n`);
  if (start === -1) throw new Error(`README.md has no "## ${title}" section`);
  const end = readme.indexOf('\n## ', start + 4);
  return readme.slice(start, end === -1 ? undefined : end);
}

/** Setting names in the first cells of the App settings table; `__x` continues the previous name. */
function settingsInReadme(): Set<string> {
  const names = new Set<string>();
  for (const line of readmeSection('App settings').split('\n')) {
    if (!/^\|\s*`/.test(line)) continue;
    let base = '';
    for (const [, name] of (line.split('|')[1] ?? '').matchAll(/`([A-Za-z_][A-Za-z0-9_]*)`/g)) {
      const full = (name as string).startsWith('__') ? `${base}${name}` : (name as string);
      base = full.split('__')[0] as string;
      names.add(full);
    }
  }
  return names;
}

/** App settings autopilot.example.yaml names in `*From` fields. */
function settingsNamedByExampleConfig(): Set<string> {
  const names = new Set<string>();
  const visit = (value: unknown) => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) {
        if (key.endsWith('From') && typeof child === 'string') names.add(child);
        else visit(child);
      }
    }
  };
  visit(parse(read('autopilot.example.yaml')));
  return names;
}

describe('app settings: code, infra, local.settings.example.json and README agree', () => {
  const fromConfig = settingsNamedByExampleConfig();

  it('lists every setting the code reads in knownAppSettings, and only settings something reads', () => {
    const read = settingsReadByCode();
    expect(read.size, 'the scan must find the settings app-settings.ts reads').toBeGreaterThan(8);
    const problems = [
      ...[...read]
        .filter(([name]) => !catalog.has(name))
        .map(
          ([name, file]) =>
            `${name} is read in ${file} but missing from knownAppSettings (shared/config/app-settings.ts)`,
        ),
      ...[...catalog]
        .filter(([name, entry]) => entry.readBy === 'app' && !read.has(name))
        .map(
          ([name]) =>
            `knownAppSettings says the app reads ${name}, but no code in shared/ or functions/ does`,
        ),
    ];
    expect(problems).toEqual([]);
  });

  it('sets every Azure setting in infra/app.bicep, no local-only one, and nothing unlisted', () => {
    const infra = settingsSetByInfra();
    const problems = [
      ...[...catalog]
        .filter(([name, { where }]) => inAzure(where) && !infra.has(name))
        .map(([name, { where }]) => `${name} (${where}) is not set in infra/app.bicep`),
      ...[...catalog]
        .filter(([name, { where }]) => !inAzure(where) && infra.has(name))
        .map(([name, { where }]) => `${name} is ${where}-only, but infra/app.bicep sets it`),
      ...[...infra]
        .filter((name) => !catalog.has(name))
        .map(
          (name) =>
            `infra/app.bicep sets ${name}, which knownAppSettings (shared/config/app-settings.ts) does not list`,
        ),
    ];
    expect(problems).toEqual([]);
  });

  it('lists every local setting in local.settings.example.json, no Azure-only one, and nothing stale', () => {
    const problems = [
      ...[...catalog]
        .filter(([name, { where }]) => locally(where) && !(name in example))
        .map(([name, { where }]) => `${name} (${where}) is missing from local.settings.example.json`),
      ...[...catalog]
        .filter(([name, { where }]) => !locally(where) && name in example)
        .map(([name, { where }]) => `${name} is ${where}-only, but local.settings.example.json lists it`),
      ...Object.keys(example)
        .filter((name) => !catalog.has(name) && !fromConfig.has(name))
        .map(
          (name) =>
            `local.settings.example.json lists ${name}, which neither knownAppSettings nor autopilot.example.yaml names`,
        ),
    ];
    expect(problems).toEqual([]);
  });

  it("documents every setting in README's App settings table, and no other", () => {
    const readme = settingsInReadme();
    const problems = [
      ...[...catalog.keys()]
        .filter((name) => !readme.has(name))
        .map((name) => `${name} has no row in README.md "## App settings"`),
      ...[...readme]
        .filter((name) => !catalog.has(name))
        .map(
          (name) => `README.md "## App settings" has a row for ${name}, which knownAppSettings does not list`,
        ),
    ];
    expect(problems).toEqual([]);
  });

  it('takes every setting autopilot.example.yaml names to the example, the README and Key Vault in infra', () => {
    expect(fromConfig.size, 'the example config names token and URL settings').toBeGreaterThan(0);
    const table = readmeSection('App settings');
    const deploy = readmeSection('Deploy');
    const secretSettingsLine = /azd env set SECRET_SETTINGS "([^"]*)"/.exec(deploy)?.[1]?.split(',') ?? [];
    const problems: string[] = [];
    for (const name of fromConfig) {
      if (catalog.has(name))
        problems.push(`${name} is the user's (autopilot.example.yaml) but knownAppSettings lists it`);
      if (!(name in example))
        problems.push(`${name} (autopilot.example.yaml) is missing from local.settings.example.json`);
      if (!table.includes(`\`${name}\``))
        problems.push(`${name} (autopilot.example.yaml) is not named in README "## App settings"`);
      if (!secretSettingsLine.includes(name)) {
        problems.push(
          `${name} (autopilot.example.yaml) is missing from README "## Deploy" azd env set SECRET_SETTINGS`,
        );
      }
      const secret = name.replace(/_/g, '-');
      if (!deploy.includes(`--name ${secret} `)) {
        problems.push(`README "## Deploy" does not show az keyvault secret set --name ${secret} for ${name}`);
      }
    }
    expect(problems).toEqual([]);
    // infra turns each name in SECRET_SETTINGS into a Key Vault reference (checked in infra-matches-code).
    expect(read('infra/main.parameters.json')).toContain(
      '"secretSettings": { "value": "${SECRET_SETTINGS=}" }',
    );
    expect(read('infra/main.bicep')).toContain('secretSettingNames: secretSettingNames');
  });

  it('keeps every secret setting out of the Bicep as a value: a Key Vault reference or nothing', () => {
    const text = read('infra/app.bicep');
    const secrets = [...settingsSetByInfra()].filter((name) => /SECRET|TOKEN|PASSWORD|_KEY$/.test(name));
    expect(secrets.length).toBeGreaterThan(0);
    for (const name of secrets) {
      const value = new RegExp(`name: '${name}'\\s*(?:,|\\n)\\s*value: '([^\\n]*)'`).exec(text)?.[1] ?? '';
      expect(value, `${name} in infra/app.bicep`).toMatch(/^@Microsoft\.KeyVault\(SecretUri=/);
    }
  });

  it('never lets Azure take a development-only switch', () => {
    // Belt and braces for the two settings that loosen checks: Azure must not get them from infra.
    const infra = settingsSetByInfra();
    for (const name of [
      'AUTOPILOT_ALLOW_INSECURE_LOOPBACK',
      'AZURE_FUNCTIONS_ENVIRONMENT',
      'FUNCTIONS_WORKER_RUNTIME',
    ]) {
      expect(infra.has(name), `${name} in infra/app.bicep`).toBe(false);
    }
  });
});
