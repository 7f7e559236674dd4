#!/usr/bin/env node
import { DomainError } from '../domain/errors';
import { exitCodes, UsageError, type CliIo } from './cli-io';
import { cardCommand, cardUsage } from './card-command';
import { configCommand, configUsage } from './config-command';
import { pinCommand, pinUsage } from './pin-command';
import { simulateCommand, simulateUsage } from './simulate-command';

type Command = (args: string[], io: CliIo) => Promise<number>;

const commands: Record<string, { run: Command; usage: string }> = {
  simulate: { run: simulateCommand, usage: simulateUsage },
  config: { run: configCommand, usage: configUsage },
  pin: { run: pinCommand, usage: pinUsage },
  card: { run: cardCommand, usage: cardUsage },
};

const help = `acr-autopilot: reacts to Azure Container Registry pushes and deletes

usage:
${Object.values(commands)
  .map((command) => `  ${command.usage}`)
  .join('\n')}

Exit codes: 0 fine, 1 the input has problems, 2 usage or configuration error.`;

/** Dispatches `acr-autopilot <command> …`; returns the exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(`${help}\n`);
    return name ? exitCodes.ok : exitCodes.usage;
  }
  const command = commands[name];
  if (!command) {
    io.stderr(`unknown command "${name}"\n\n${help}\n`);
    return exitCodes.usage;
  }
  try {
    return await command.run(args, io);
  } catch (error) {
    if (error instanceof UsageError || error instanceof DomainError || isArgError(error)) {
      io.stderr(`${(error as Error).message}\n`);
      return exitCodes.usage;
    }
    throw error;
  }
}

function isArgError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}

if (require.main === module) {
  runCli(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    cwd: process.cwd(),
    env: process.env, // eslint-disable-line no-restricted-properties -- the CLI is a composition root
  }).then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 2;
    },
  );
}
