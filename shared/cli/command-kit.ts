import { Option, type Command } from 'commander';

/**
 * Pieces every command definition shares, so an option common to several commands (`--config`,
 * `--json`) is written once. Commander ignores what an action returns: each action hands its exit code
 * to `exit`, and runCli returns it.
 */
export type ExitWith = (code: number) => void;

export function configOption(): Option {
  return new Option(
    '--config <file>',
    'the autopilot.yaml to read (default: the AUTOPILOT_CONFIG setting, else ./autopilot.yaml)',
  );
}

export function jsonOption(prints: string): Option {
  return new Option('--json', `print JSON: ${prints}`);
}

/** An option that may be given several times; its values in order. */
export function repeatable(flags: string, description: string): Option {
  return new Option(flags, `${description}; may be repeated`).argParser(
    (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
  );
}

/** The `Example:` block `--help` ends with. */
export function example(...commandLines: string[]): string {
  return `\nExample:\n${commandLines.map((line) => `  $ acr-autopilot ${line}`).join('\n')}`;
}

const required = new WeakSet<Option>();

/**
 * An option the command cannot run without. Not commander's `requiredOption`: commander checks
 * those before unknown options, so `simulate --evnt x` would complain about `--event` instead of
 * naming the typo. runCli checks these in a preAction hook, after the unknown-option check.
 */
export function requiredOption(flags: string, description: string): Option {
  const option = new Option(flags, `required: ${description}`);
  required.add(option);
  return option;
}

/** Stops with commander's own "required option … not specified" error when one is missing. */
export function checkRequiredOptions(command: Command): void {
  for (const option of command.options) {
    if (required.has(option) && command.getOptionValue(option.attributeName()) === undefined) {
      command.error(`error: required option '${option.flags}' not specified`, {
        code: 'commander.missingMandatoryOptionValue',
      });
    }
  }
}
