import { Command } from 'commander';
import { z } from 'zod';
import { configSchema } from '../domain/config/schema';
import { ConfigError, formatIssues } from '../domain/errors';
import { exitCodes, type CliIo } from './cli-io';
import { configOption, example, jsonOption, type ExitWith } from './command-kit';
import { configReferenceMarkdown } from './config-reference';
import { loadCliConfig } from './load-cli-config';

/** The parsed options of `config check`. */
export interface ConfigCheckOptions {
  config?: string | undefined;
  json?: boolean | undefined;
}

/** `config check|schema|reference`. */
export function configCommand(io: CliIo, exit: ExitWith): Command {
  return new Command('config')
    .description('check autopilot.yaml, or print its JSON Schema or its key reference')
    .addCommand(
      new Command('check')
        .description('validate autopilot.yaml and list the app settings it names that are not set')
        .addOption(configOption())
        .addOption(jsonOption('{ "ok", "path", "rules", …, "warnings" } or { "ok": false, "issues" }'))
        .addHelpText('after', example('config check --config autopilot.yaml'))
        .action(async (options: ConfigCheckOptions) => exit(await runConfigCheck(options, io))),
    )
    .addCommand(
      new Command('schema')
        .description('print the JSON Schema of autopilot.yaml (for editor completion)')
        .addHelpText(
          'after',
          example('config schema > autopilot.schema.json') +
            '\n  (then begin autopilot.yaml with: # yaml-language-server: $schema=./autopilot.schema.json)',
        )
        .action(() => {
          io.stdout(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
          exit(exitCodes.ok);
        }),
    )
    .addCommand(
      new Command('reference')
        .description('print every key of autopilot.yaml as a Markdown table (type, default, meaning)')
        .addHelpText('after', example('config reference > config-reference.md'))
        .action(() => {
          io.stdout(configReferenceMarkdown(configJsonSchema()));
          exit(exitCodes.ok);
        }),
    );
}

/** Validates the file (and the app settings it names): 0 valid, 1 with its problems. */
export async function runConfigCheck(options: ConfigCheckOptions, io: CliIo): Promise<number> {
  try {
    const { config, path, warnings, settingProblems } = await loadCliConfig(io, options.config, {
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
    if (options.json) io.stdout(`${JSON.stringify(summary, null, 2)}\n`);
    else {
      io.stdout(`${path}: valid (${config.rules.length} rule(s))\n`);
      if (warnings.length > 0) io.stdout(`warnings:\n${indent(formatIssues(warnings))}\n`);
    }
    return exitCodes.ok;
  } catch (error) {
    if (!(error instanceof ConfigError) || error.issues.length === 0) throw error;
    if (options.json) io.stdout(`${JSON.stringify({ ok: false, issues: error.issues }, null, 2)}\n`);
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
