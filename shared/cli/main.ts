#!/usr/bin/env node
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { withLocalSettings } from '../config/local-settings';
import { DomainError } from '../domain/errors';
import { cardCommand } from './card-command';
import { exitCodes, UsageError, type CliIo } from './cli-io';
import { checkRequiredOptions, type ExitWith } from './command-kit';
import { configCommand } from './config-command';
import { deployCommand } from './deploy-command';
import { pinCommand } from './pin-command';
import { poisonCommand, queuesCommand } from './queue-command';
import { retentionCommand } from './retention-command';
import { simulateCommand } from './simulate-command';
import { traceCommand } from './trace-command';

/**
 * The whole command tree: each command is defined (options, description, example) in its own file.
 * Commander writes only through `io` and never exits the process: it throws a CommanderError instead.
 */
export function buildProgram(io: CliIo, exit: ExitWith = () => undefined): Command {
  const program = new Command('acr-autopilot')
    .description('Reacts to Azure Container Registry pushes and deletes; these commands try and operate it.')
    .version(packageVersion(), '-V, --version', 'print the version')
    .addHelpText(
      'after',
      '\nExit codes: 0 fine, 1 the input has problems, 2 usage or configuration error.\n' +
        "Run 'acr-autopilot <command> --help' for a command's options and an example.",
    )
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.stdout(text), writeErr: (text) => io.stderr(text) })
    .showHelpAfterError()
    .hook('preAction', (_program, command) => checkRequiredOptions(command));
  for (const define of [
    simulateCommand,
    configCommand,
    pinCommand,
    cardCommand,
    deployCommand,
    retentionCommand,
    traceCommand,
    queuesCommand,
    poisonCommand,
  ]) {
    program.addCommand(define(io, exit));
  }
  inheritSettings(program);
  return program;
}

/** addCommand does not pass on output, exit and error-help settings (`.command()` would): pass them on. */
function inheritSettings(parent: Command): void {
  for (const command of parent.commands) {
    command.copyInheritedSettings(parent);
    inheritSettings(command);
  }
}

/** Runs `acr-autopilot <command> …`; returns the exit code (0 fine, 1 problems, 2 usage or config). */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let code: number = exitCodes.ok;
  const program = buildProgram(io, (reported) => (code = reported));
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (error) {
    // Commander has already said what was wrong (and shown the usage); help and --version exit 0.
    if (error instanceof CommanderError) return error.exitCode === 0 ? exitCodes.ok : exitCodes.usage;
    if (error instanceof UsageError || error instanceof DomainError) {
      io.stderr(`${error.message}\n`);
      return exitCodes.usage;
    }
    throw error;
  }
}

/** The version in the package.json above this file (source or dist alike). */
function packageVersion(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      return (JSON.parse(readFileSync(file, 'utf8')) as { version?: string }).version ?? 'unknown';
    }
    if (dirname(dir) === dir) return 'unknown';
  }
}

if (require.main === module) {
  // `acr-autopilot … | head` closes the pipe before the output ends: the reader has what it wanted.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(exitCodes.ok);
    throw error;
  });
  process.stderr.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
  runCli(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    cwd: process.cwd(),
    stderrIsTTY: process.stderr.isTTY,
    // As the host would see them: local.settings.json Values under the process environment.
    env: withLocalSettings(process.env, process.cwd()), // eslint-disable-line no-restricted-properties -- the CLI is a composition root
  }).then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 2;
    },
  );
}
