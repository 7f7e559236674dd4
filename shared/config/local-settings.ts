import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** local.settings.json (or the example when there is none), as Core Tools reads it. */
export interface LocalSettings {
  source: string | undefined;
  values: Record<string, string>;
  port: number | undefined;
}

export function readLocalSettings(appRoot: string, options: { example?: boolean } = {}): LocalSettings {
  const names = [
    'local.settings.json',
    ...(options.example === false ? [] : ['local.settings.example.json']),
  ];
  for (const name of names) {
    const path = join(appRoot, name);
    if (!existsSync(path)) continue;
    const json = JSON.parse(readFileSync(path, 'utf8')) as {
      Values?: Record<string, unknown>;
      Host?: { LocalHttpPort?: unknown };
    };
    const values: Record<string, string> = {};
    for (const [key, value] of Object.entries(json.Values ?? {})) {
      if (value !== null && value !== undefined) values[key] = String(value);
    }
    const port = json.Host?.LocalHttpPort;
    return { source: name, values, port: typeof port === 'number' ? port : undefined };
  }
  return { source: undefined, values: {}, port: undefined };
}

/**
 * The environment a command sees when run from the app folder the way the host would run the app:
 * `local.settings.json` Values (Core Tools' rule: variables already in the environment win).
 */
export function withLocalSettings(
  env: Readonly<Record<string, string | undefined>>,
  appRoot: string,
): Record<string, string | undefined> {
  // Only the real file: the example's placeholders are not settings anyone made.
  return { ...readLocalSettings(appRoot, { example: false }).values, ...definedOnly(env) };
}

function definedOnly(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined) result[key] = value;
  return result;
}
