import { Command, InvalidArgumentError, Option } from 'commander';
import { createTableClient } from '../adapters/storage-clients';
import { createTableTraceStore } from '../adapters/table/table-trace-store';
import type { TraceReader } from '../domain/ports';
import { assembleTrace, type PushTrace } from '../domain/trace/assemble-trace';
import { formatTrace } from '../domain/trace/format-trace';
import { parseTraceRef } from '../domain/trace/trace-lookup';
import { dedupeTable } from '../runtime/composition-root';
import { exitCodes, UsageError, type CliIo } from './cli-io';
import { cliStorage } from './cli-storage';
import { example, jsonOption, type ExitWith } from './command-kit';

interface TraceOptions {
  /** A digest, `[registry/]repository:tag`, `repository@digest` or a dedupe key. */
  ref: string;
  json: boolean;
  /** At most this many pushes when the reference names several (newest first). */
  limit: number;
}

const defaultLimit = 5;

/** `acr-autopilot trace <ref>`. */
export function traceCommand(io: CliIo, exit: ExitWith): Command {
  return new Command('trace')
    .description(
      'what happened to one push and why it did (not) deploy, from the records the app keeps in Table Storage',
    )
    .argument('<ref>', 'a digest (sha256:…), [registry/]repository:tag, repository@digest, or a dedupe key')
    .addOption(
      new Option('--limit <n>', `at most this many pushes when several match, newest first`)
        .default(defaultLimit)
        .argParser(positiveInteger),
    )
    .addOption(
      jsonOption(
        '{ "traces": [ { "dedupeKey", "image", "deliveries", "regions", "duplicatesDropped", "rules", "notes", "planned", "actions", "timeline", "verdict": { "outcome", "headline", "reasons" } } ], "more" }',
      ),
    )
    .addHelpText('after', example('trace payments/api:1.4.2', 'trace sha256:0123… --json'))
    .action(async (ref: string, options: { json?: boolean; limit: number }) =>
      exit(await runTrace({ ref, json: options.json === true, limit: options.limit }, io)),
    );
}

/**
 * Finds the pushes `ref` names in the app's trace records, newest first, and prints each one's
 * verdict, deliveries, rules, actions and timeline (or JSON). Exit 1 when nothing is recorded.
 */
async function runTrace(options: TraceOptions, io: CliIo): Promise<number> {
  const lookup = parseTraceRef(options.ref);
  if (typeof lookup === 'string') throw new UsageError(lookup);
  const store = readerFor(io);
  const matches = await store.find(lookup);
  const traces: PushTrace[] = [];
  for (const match of matches.slice(0, options.limit)) {
    const records = await store.read(match.dedupeKey);
    if (!records.claim && records.received.length === 0 && records.attempts.length === 0) continue;
    traces.push(assembleTrace(records));
  }
  const more = Math.max(0, matches.length - options.limit);
  if (options.json) io.stdout(`${JSON.stringify({ traces, more }, null, 2)}\n`);
  else io.stdout(traces.map(formatTrace).join('\n'));
  if (more > 0 && !options.json) {
    io.stderr(`note: ${more} older push(es) match too; name one by its dedupe key, or raise --limit\n`);
  }
  if (traces.length === 0) {
    io.stderr(
      `nothing recorded for ${options.ref}: the app never received it (check the ACR webhook or the Event ` +
        'Grid subscription, and try acr-autopilot simulate with its payload), it is older than the dedupe ' +
        'window (records are pruned with the dedupe records), or this is not the storage account the app uses\n',
    );
    return exitCodes.problems;
  }
  return exitCodes.ok;
}

function readerFor(io: CliIo): TraceReader {
  return createTableTraceStore(
    createTableClient(cliStorage(io, "trace reads the app's Table Storage"), dedupeTable),
  );
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number of 1 or more');
  return n;
}
