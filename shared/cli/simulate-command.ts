import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Command } from 'commander';
import type { Config } from '../domain/config/schema';
import { formatIssues } from '../domain/errors';
import { describeImage, type ImageEvent } from '../domain/events/image-event';
import type { ParseOutcome } from '../domain/events/parse-outcome';
import { parsePayload } from '../domain/events/parse-payload';
import { parseContextFor } from '../runtime/parse-context';
import type { ActionMessage } from '../domain/messages/action-messages';
import { planActions } from '../domain/rules/plan-actions';
import { exitCodes, UsageError, type CliIo } from './cli-io';
import { configOption, example, jsonOption, requiredOption, type ExitWith } from './command-kit';
import { loadCliConfig } from './load-cli-config';

export interface SimulationResult {
  outcome: 'accepted' | 'ignored' | 'invalid' | 'validation';
  reason?: string;
  event?: ImageEvent;
  actions: ActionMessage[];
}

/** The parsed options of `simulate`. */
export interface SimulateOptions {
  /** A webhook body or an Event Grid delivery, as a path. */
  event: string;
  config?: string | undefined;
  json?: boolean | undefined;
}

export function simulateCommand(io: CliIo, exit: ExitWith): Command {
  return new Command('simulate')
    .description('show what the app would do with an event file, touching nothing')
    .addOption(requiredOption('--event <file>', 'a webhook body or an Event Grid delivery (object or array)'))
    .addOption(configOption())
    .addOption(jsonOption('{ "results": [...] }, one result per event'))
    .addHelpText('after', example('simulate --event push.json --config autopilot.yaml'))
    .action(async (options: SimulateOptions) => exit(await runSimulate(options, io)));
}

/** Reads a webhook body or an Event Grid delivery and shows what the app would do, touching nothing. */
export async function runSimulate(options: SimulateOptions, io: CliIo): Promise<number> {
  const body = await readEventFile(resolve(io.cwd, options.event));
  const { config } = await loadCliConfig(io, options.config, { required: false });
  const results = simulate(body, config);
  if (options.json) io.stdout(`${JSON.stringify({ results }, null, 2)}\n`);
  else io.stdout(`${results.map(describeResult).join('\n')}\n`);
  return results.some((result) => result.outcome === 'invalid') ? exitCodes.problems : exitCodes.ok;
}

export async function readEventFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new UsageError(`${path} is not JSON: ${(error as Error).message}`);
  }
}

/** Every event in the body (webhook, Event Grid or CloudEvents; object or array), parsed and planned. */
export function simulate(body: unknown, config: Config): SimulationResult[] {
  return parsePayload(body, parseContextFor(config)).map((outcome) => toResult(outcome, config));
}

function toResult(outcome: ParseOutcome, config: Config): SimulationResult {
  switch (outcome.kind) {
    case 'accepted':
      return {
        outcome: 'accepted',
        event: outcome.event,
        actions: planActions(outcome.event, config).messages,
      };
    case 'ignored':
      return { outcome: 'ignored', reason: outcome.reason, actions: [] };
    case 'invalid':
      return { outcome: 'invalid', reason: formatIssues(outcome.issues).replace(/\n/g, '; '), actions: [] };
    case 'validation':
      return {
        outcome: 'validation',
        reason: 'Event Grid subscription validation; the Functions runtime answers the handshake',
        actions: [],
      };
  }
}

function describeResult(result: SimulationResult): string {
  const head = result.event
    ? `${result.outcome.padEnd(10)} ${result.event.action} ${describeImage(result.event)} (dedupe ${result.event.dedupeKey})`
    : `${result.outcome.padEnd(10)} ${result.reason ?? ''}`;
  const actions = result.actions.map((action) => `  → ${describeAction(action)}`);
  if (result.outcome === 'accepted' && actions.length === 0)
    actions.push('  (no rule matched: nothing would be queued)');
  return [head, ...actions].join('\n');
}

function describeAction(action: ActionMessage): string {
  switch (action.type) {
    case 'pin':
      return `pin (${action.mode}) into gitops "${action.repo}" under ${action.paths.join(', ')}`;
    case 'deploy':
      return `deploy to "${action.target}"`;
    case 'notify':
      return `notify Teams channel "${action.channel}" (${action.payload.kind})`;
    case 'retention':
      return `run retention for ${action.repository} in registry "${action.registry}" (debounced)`;
  }
}
