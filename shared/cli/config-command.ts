import { parseArgs } from 'node:util';
import { z } from 'zod';
import { configSchema } from '../domain/config/schema';
import { ConfigError, formatIssues } from '../domain/errors';
import { exitCodes, UsageError, type CliIo } from './cli-io';
import { loadCliConfig } from './load-cli-config';

export const configUsage = 'acr-autopilot config check [--config F] [--json] | acr-autopilot config schema';

/** `config check` validates the file (and the app settings it names); `config schema` prints JSON Schema. */
export async function configCommand(args: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'schema') {
    io.stdout(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
    return exitCodes.ok;
  }
  if (sub !== 'check') throw new UsageError(`usage: ${configUsage}`);
  const { values } = parseArgs({
    args: rest,
    options: { config: { type: 'string' }, json: { type: 'boolean', default: false } },
  });
  try {
    const { config, path, warnings, settingProblems } = await loadCliConfig(io, values.config, {
      required: true,
    });
    if (settingProblems.length > 0) {
      const list = indent(formatIssues(settingProblems));
      throw new ConfigError(`${path} names app settings that cannot be used:\n${list}`, settingProblems);
    }
    const summary = {
      ok: true,
      path,
      rules: config.rules.length,
      gitops: Object.keys(config.gitops),
      teams: Object.keys(config.teams),
      deployTargets: Object.keys(config.deployTargets),
      retention: Boolean(config.retention),
      warnings,
    };
    if (values.json) io.stdout(`${JSON.stringify(summary, null, 2)}\n`);
    else {
      io.stdout(`${path}: valid (${config.rules.length} rule(s))\n`);
      if (warnings.length > 0) io.stdout(`warnings:\n${indent(formatIssues(warnings))}\n`);
    }
    return exitCodes.ok;
  } catch (error) {
    if (!(error instanceof ConfigError) || error.issues.length === 0) throw error;
    if (values.json) io.stdout(`${JSON.stringify({ ok: false, issues: error.issues }, null, 2)}\n`);
    else io.stderr(`${error.message}\n`);
    return exitCodes.problems;
  }
}

/** JSON Schema of autopilot.yaml for editor completion (yaml-language-server `$schema` comment). */
export function configJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }),
    title: 'acr-autopilot configuration (autopilot.yaml)',
  };
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}
