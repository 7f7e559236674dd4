import { Command, Option } from 'commander';
import { createQueueAdmin, type MoveReport, type QueueAdmin } from '../adapters/queue/queue-admin';
import { createQueueServiceClient } from '../adapters/storage-clients';
import {
  describeAge,
  formatParkedList,
  matchesId,
  readParked,
  requeuedBody,
  type ParkedMessage,
  type StoredQueueMessage,
} from '../domain/messages/parked-message';
import { queueNames } from '../domain/messages/queues';
import { poisonQueueOf, queueOfPoison } from '../domain/messages/replay-command';
import { exitCodes, UsageError, type CliIo } from './cli-io';
import { cliStorage } from './cli-storage';
import { example, jsonOption, type ExitWith } from './command-kit';
import { progressBar } from './progress-bar';

/** Test seams: a queue admin of their own (e.g. one whose sends fail), and the clock. */
export interface QueueCliExtras {
  admin?: QueueAdmin;
  now?: () => Date;
}

interface PoisonListOptions {
  json: boolean;
}

export interface PoisonRequeueOptions {
  /** A storage message id (from `poison list`) or a dedupe key: every parked message of that event. */
  id?: string | undefined;
  all: boolean;
  dryRun: boolean;
  json: boolean;
}

const queues: readonly string[] = Object.values(queueNames);
/** `acr-autopilot queues`. */
export function queuesCommand(io: CliIo, exit: ExitWith, extras: QueueCliExtras = {}): Command {
  return new Command('queues')
    .description("show how many messages wait on each of the app's queues and on its poison queue")
    .addOption(jsonOption('{ "queues": [ { "queue", "depth", "poison", "poisonDepth" } ] }'))
    .addHelpText('after', example('queues', 'queues --json'))
    .action(async (options: { json?: boolean }) =>
      exit(await queueDepths({ json: options.json === true }, io, extras)),
    );
}

/** `acr-autopilot poison list|requeue`. */
export function poisonCommand(io: CliIo, exit: ExitWith, extras: QueueCliExtras = {}): Command {
  const queueHelp = `one of ${queues.join(', ')} (or its -poison twin)`;
  const list = new Command('list')
    .description('show each message parked on <queue>-poison: id, reason, age, attempts and what it is about')
    .argument('<queue>', queueHelp)
    .addOption(
      jsonOption(
        '{ "queue", "poison", "messages": [ { "id", "parkedBy", "reason", "parkedAt", "ageSeconds", "attempts", "type", "dedupeKey", "image", "target", "replay" } ] }',
      ),
    )
    .addHelpText('after', example('poison list pin-requests'))
    .action(async (queue: string, options: { json?: boolean }) =>
      exit(await poisonList(queue, { json: options.json === true }, io, extras)),
    );
  const requeue = new Command('requeue')
    .description('move parked messages back to <queue> with a fresh attempt budget (fix the cause first)')
    .argument('<queue>', queueHelp)
    .addOption(
      new Option(
        '--id <id>',
        'a message id shown by poison list, or a dedupe key: every parked message of that event',
      ),
    )
    .addOption(new Option('--all', 'every parked message of the queue'))
    .addOption(new Option('--dry-run', 'list what would move and move nothing'))
    .addOption(
      jsonOption(
        '{ "queue", "poison", "dryRun", "messages": [ what moved, or would ], "left", "failed", "duplicated" }',
      ),
    )
    .addHelpText(
      'after',
      example(
        'poison list pin-requests',
        'poison requeue pin-requests --id 0c36936574fa27a43e677746139dde48 --dry-run',
        'poison requeue pin-requests --all',
      ),
    )
    .action(
      async (queue: string, options: { id?: string; all?: boolean; dryRun?: boolean; json?: boolean }) =>
        exit(
          await poisonRequeue(
            queue,
            {
              id: options.id,
              all: options.all === true,
              dryRun: options.dryRun === true,
              json: options.json === true,
            },
            io,
            extras,
          ),
        ),
    );
  return new Command('poison')
    .description('list parked (poison) messages of a queue, or move them back to be run again')
    .addCommand(list)
    .addCommand(requeue);
}

/** Depth and poison depth of every queue; exit 0. */
async function queueDepths(
  options: { json: boolean },
  io: CliIo,
  extras: QueueCliExtras = {},
): Promise<number> {
  const admin = extras.admin ?? adminFor(io);
  const rows = await Promise.all(
    queues.map(async (queue) => {
      const [depth, poisonDepth] = await Promise.all([admin.depth(queue), admin.depth(poisonQueueOf(queue))]);
      return { queue, depth: depth ?? 0, poison: poisonQueueOf(queue), poisonDepth: poisonDepth ?? 0 };
    }),
  );
  if (options.json) {
    io.stdout(`${JSON.stringify({ queues: rows }, null, 2)}\n`);
    return exitCodes.ok;
  }
  const table = [
    ['queue', 'depth', 'poison'],
    ...rows.map((r) => [r.queue, String(r.depth), String(r.poisonDepth)]),
  ];
  const widths = [0, 1, 2].map((i) => Math.max(...table.map((row) => (row[i] ?? '').length)));
  const lines = table.map((row) =>
    row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  '),
  );
  for (const row of rows.filter((r) => r.poisonDepth > 0)) {
    lines.push(`${row.poison}: ${row.poisonDepth} parked; see acr-autopilot poison list ${row.queue}`);
  }
  io.stdout(`${lines.join('\n')}\n`);
  return exitCodes.ok;
}

/** Every message parked on `<queue>-poison`, oldest first; exit 0. */
async function poisonList(
  queueArgument: string,
  options: PoisonListOptions,
  io: CliIo,
  extras: QueueCliExtras = {},
): Promise<number> {
  const queue = knownQueue(queueArgument);
  const poison = poisonQueueOf(queue);
  const admin = extras.admin ?? adminFor(io);
  const now = (extras.now ?? (() => new Date()))();
  const bar = progressBar(io);
  const total = (await admin.depth(poison)) ?? 0;
  const stored = await admin.list(poison, (seen) =>
    bar.update(`reading ${poison}`, seen, Math.max(seen, total), 'messages'),
  );
  bar.clear();
  const parked = stored.map((message) => readParked(queue, message, now));
  if (options.json) {
    io.stdout(`${JSON.stringify({ queue, poison, messages: parked.map(parkedJson) }, null, 2)}\n`);
  } else {
    io.stdout(formatParkedList(queue, poison, parked));
  }
  return exitCodes.ok;
}

/**
 * Moves the chosen messages of `<queue>-poison` back to `<queue>` with a fresh attempt budget, each
 * sent before it is deleted from the poison queue. Exit 0 when every chosen message moved (or, with
 * `dryRun`, would move); 1 when `--id` matched nothing, a send failed (the rest stay parked) or a
 * moved message could not be deleted from the poison queue; 2 for a usage error.
 */
export async function poisonRequeue(
  queueArgument: string,
  options: PoisonRequeueOptions,
  io: CliIo,
  extras: QueueCliExtras = {},
): Promise<number> {
  const queue = knownQueue(queueArgument);
  const poison = poisonQueueOf(queue);
  if (options.id !== undefined && options.all) {
    throw new UsageError('poison requeue: give --id or --all, not both');
  }
  if (options.id === undefined && !options.all) {
    throw new UsageError(
      `poison requeue moves messages: add --id <id> (a message id or dedupe key shown by ` +
        `acr-autopilot poison list ${queue}) to move those, or --all to move every message on ${poison}`,
    );
  }
  const id = options.id;
  const chosen = (message: StoredQueueMessage) => id === undefined || matchesId(message, id);
  const admin = extras.admin ?? adminFor(io);
  const now = (extras.now ?? (() => new Date()))();
  const bar = progressBar(io);
  const total = (await admin.depth(poison)) ?? 0;
  const progress = (seen: number, moved: number) =>
    bar.update(
      `${options.dryRun ? 'reading' : `requeueing (${moved} moved)`} ${poison}`,
      seen,
      Math.max(seen, total),
      'messages',
    );

  let messages: ParkedMessage[];
  let report: MoveReport | undefined;
  let left: number;
  if (options.dryRun) {
    const stored = await admin.list(poison, (seen) => progress(seen, 0));
    messages = stored.filter(chosen).map((message) => readParked(queue, message, now));
    left = stored.length;
  } else {
    report = await admin.move(
      poison,
      queue,
      (message) => (chosen(message) ? { body: requeuedBody(message.body, now) } : undefined),
      progress,
    );
    messages = [...report.moved, ...report.duplicated.map((d) => d.message)].map((message) =>
      readParked(queue, message, now),
    );
    left = report.seen - messages.length;
  }
  bar.clear();

  if (options.json) {
    io.stdout(
      `${JSON.stringify(
        {
          queue,
          poison,
          dryRun: options.dryRun,
          messages: messages.map(parkedJson),
          left,
          failed: report?.failed ? { id: report.failed.message.id, error: report.failed.error } : null,
          duplicated: (report?.duplicated ?? []).map((d) => ({ id: d.message.id, error: d.error })),
        },
        null,
        2,
      )}\n`,
    );
  } else {
    io.stdout(requeueText(queue, poison, options.dryRun, messages, left));
  }
  return reportProblems(io, { queue, poison, id, messages, report });
}

function requeueText(
  queue: string,
  poison: string,
  dryRun: boolean,
  messages: readonly ParkedMessage[],
  left: number,
): string {
  const lines = messages.map(
    (message) =>
      `${dryRun ? 'would move' : 'moved'} ${message.id}  ${about(message)}  (parked ${describeAge(message.ageMs)}: ${clip(message.reason)})`,
  );
  const count = `${messages.length} message${messages.length === 1 ? '' : 's'}`;
  lines.push(
    dryRun
      ? `would requeue ${count} from ${poison} to ${queue} with a fresh attempt budget; nothing moved (--dry-run)`
      : `requeued ${count} from ${poison} to ${queue} with a fresh attempt budget; ${left} left on ${poison}`,
  );
  return `${lines.join('\n')}\n`;
}

function reportProblems(
  io: CliIo,
  run: {
    queue: string;
    poison: string;
    id: string | undefined;
    messages: readonly ParkedMessage[];
    report: MoveReport | undefined;
  },
): number {
  const { queue, poison, report } = run;
  let code: number = exitCodes.ok;
  if (report?.failed) {
    io.stderr(
      `requeue stopped: sending message ${report.failed.message.id} to ${queue} failed: ${report.failed.error}; ` +
        `it and the messages not yet moved stay on ${poison} (${report.moved.length} moved before); run the same command again\n`,
    );
    code = exitCodes.problems;
  }
  for (const { message, error } of report?.duplicated ?? []) {
    io.stderr(
      `message ${message.id} was sent to ${queue} but is still on ${poison} (deleting it failed: ${error}); ` +
        `do not requeue it again unless it is still needed\n`,
    );
    code = exitCodes.problems;
  }
  if (run.id !== undefined && run.messages.length === 0 && !report?.failed) {
    io.stderr(
      `no message on ${poison} has the id or dedupe key ${run.id}; acr-autopilot poison list ${queue} shows them\n`,
    );
    code = exitCodes.problems;
  }
  return code;
}

function about(message: ParkedMessage): string {
  const text = [message.type, message.image, message.target ? `→ ${message.target}` : undefined]
    .filter(Boolean)
    .join(' ');
  return text || 'unreadable message';
}

function clip(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 160 ? `${line.slice(0, 159)}…` : line;
}

/** A parked message as JSON: absent values as null, the age in seconds. */
function parkedJson(message: ParkedMessage) {
  return {
    id: message.id,
    parkedBy: message.parkedBy,
    reason: message.reason,
    parkedAt: message.parkedAt ?? null,
    ageSeconds: message.ageMs === undefined ? null : Math.round(message.ageMs / 1000),
    attempts: message.attempts ?? null,
    type: message.type ?? null,
    dedupeKey: message.dedupeKey ?? null,
    image: message.image ?? null,
    target: message.target ?? null,
    replay: message.replay,
  };
}

/** The queue named on the command line (`pin-requests` or `pin-requests-poison`), or a usage error. */
function knownQueue(name: string): string {
  const queue = queueOfPoison(name.trim());
  if (!queues.includes(queue)) {
    throw new UsageError(`unknown queue "${name}": the app's queues are ${queues.join(', ')}`);
  }
  return queue;
}

/** Queue admin on the app's storage account, with the person's own sign-in. */
function adminFor(io: CliIo): QueueAdmin {
  return createQueueAdmin(createQueueServiceClient(cliStorage(io)));
}
