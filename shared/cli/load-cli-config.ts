import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { readAppSettings } from '../config/app-settings';
import { loadConfig, type LoadedConfig } from '../config/load-config';
import type { CliIo } from './cli-io';

/**
 * The config a CLI command uses: `--config F` (must exist), else AUTOPILOT_CONFIG or ./autopilot.yaml
 * when present, else none (`required` makes "none" an error). Errors are ConfigErrors with lines.
 */
export async function loadCliConfig(
  io: CliIo,
  explicit: string | undefined,
  options: { required: boolean },
): Promise<LoadedConfig> {
  const path = resolve(io.cwd, explicit ?? readAppSettings(io.env).configPath);
  const optional = explicit === undefined && !options.required && !existsSync(path);
  return loadConfig(path, io.env, { optional });
}
