import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join, resolve } from 'node:path';
import { Command, Option } from 'commander';
import { renderCardHtml } from '../adapters/teams/render-card-html';
import { validateTeamsMessage } from '../adapters/teams/validate-card';
import { notifyKinds, type NotifyKind } from '../domain/config/schema';
import { buildTeamsMessage } from '../domain/cards/build-teams-message';
import { messageBytes } from '../domain/cards/fit-to-size';
import type { TeamsMessage } from '../domain/cards/teams-message';
import { formatIssues } from '../domain/errors';
import { describeImage, type ImageEvent } from '../domain/events/image-event';
import { eventKind, samplePayload } from '../domain/notify/sample-payload';
import { exitCodes, UsageError, type CliIo } from './cli-io';
import { configOption, example, jsonOption, requiredOption, type ExitWith } from './command-kit';
import { loadCliConfig } from './load-cli-config';
import { parsePayload } from '../domain/events/parse-payload';
import { parseContextFor } from '../runtime/parse-context';
import { readEventFile } from './simulate-command';

/** The parsed options of `card`. */
export interface CardOptions {
  /** A webhook body or an Event Grid delivery, as a path. */
  event: string;
  /** Default: pushed or deleted, from the event. */
  kind?: NotifyKind | undefined;
  config?: string | undefined;
  json?: boolean | undefined;
  /** Write an HTML preview per card: to this path, or (`true`) into a new folder in the OS temp dir. */
  html?: string | true | undefined;
}

interface Card {
  event: ImageEvent;
  kind: NotifyKind;
  sample: boolean;
  message: TeamsMessage;
  problems: string[];
}

export function cardCommand(io: CliIo, exit: ExitWith): Command {
  return new Command('card')
    .description('print the Teams message notifyTeams would post for an event file, checked; posts nothing')
    .addOption(requiredOption('--event <file>', 'a webhook body or an Event Grid delivery (object or array)'))
    .addOption(
      new Option('--kind <kind>', 'the card to build; default pushed or deleted, from the event').choices(
        notifyKinds,
      ),
    )
    .addOption(configOption())
    .addOption(jsonOption('only the Workflows envelope (an array when the file holds several events)'))
    .addOption(
      new Option(
        '--html [file]',
        'also write an HTML preview per card: to file, or without one into a new folder in the OS temp dir',
      ),
    )
    .addHelpText('after', example('card --event push.json --kind pinned --html'))
    .action(async (options: CardOptions) => exit(await runCard(options, io)));
}

/**
 * Prints the Workflows envelope `notifyTeams` would post for each event in the file (a webhook body or
 * an Event Grid delivery), checked with the adaptivecards library. Posts nothing. `json` prints only
 * the envelope (an array when the file holds several events); `html` writes a preview page per card.
 */
export async function runCard(options: CardOptions, io: CliIo): Promise<number> {
  const { kind } = options;
  const body = await readEventFile(resolve(io.cwd, options.event));
  const { config } = await loadCliConfig(io, options.config, { required: false });

  let problems = false;
  const cards: Card[] = [];
  for (const outcome of parsePayload(body, parseContextFor(config))) {
    if (outcome.kind === 'accepted') {
      const cardKind = kind ?? eventKind(outcome.event);
      const { payload, sample } = samplePayload(cardKind, outcome.event, config);
      const message = buildTeamsMessage(payload, { mode: 'envelope' });
      cards.push({ event: outcome.event, kind: cardKind, sample, message, problems: [] });
    } else if (outcome.kind === 'invalid') {
      problems = true;
      io.stderr(`invalid event:\n${indent(formatIssues(outcome.issues))}\n`);
    } else {
      io.stderr(
        `no card: ${outcome.kind === 'ignored' ? outcome.reason : 'Event Grid subscription validation'}\n`,
      );
    }
  }
  if (cards.length === 0) {
    io.stderr(`${options.event} holds no push or delete event to build a card for\n`);
    return exitCodes.problems;
  }
  for (const card of cards) {
    card.problems = validateTeamsMessage(card.message, 'envelope');
    if (card.problems.length > 0) {
      problems = true;
      io.stderr(
        `the ${card.kind} card for ${describeImage(card.event)} is not valid:\n${indent(card.problems.join('\n'))}\n`,
      );
    }
  }

  const [only] = cards;
  if (options.json) {
    io.stdout(
      `${JSON.stringify(cards.length === 1 && only ? only.message : cards.map((c) => c.message), null, 2)}\n`,
    );
    // stdout stays pure JSON; the note that details are made up goes next to it.
    for (const card of cards.filter((c) => c.sample)) io.stderr(`${sampleNote(card)}\n`);
  } else {
    io.stdout(`${cards.map(describeCard).join('\n\n')}\n`);
  }
  if (options.html !== undefined) {
    const out =
      options.html === true
        ? // Outside the working tree: a preview never lands in a repository for its linters to find.
          join(await mkdtemp(join(tmpdir(), 'acr-autopilot-card-')), 'card.html')
        : resolve(io.cwd, options.html);
    const files = htmlPaths(out, cards.length);
    for (const [index, card] of cards.entries()) {
      const file = files[index] as string;
      const page = renderCardHtml(card.message, { title: `${card.kind}: ${describeImage(card.event)}` });
      await writeFile(file, page).catch((error: unknown) => {
        throw new UsageError(`cannot write ${file}: ${(error as Error).message}`);
      });
      // With --json, stdout stays pure JSON.
      if (options.json) io.stderr(`wrote ${file}\n`);
      else io.stdout(`wrote ${file}\n`);
    }
  }
  return problems ? exitCodes.problems : exitCodes.ok;
}

function describeCard(card: Card): string {
  const check = card.problems.length === 0 ? 'valid Adaptive Card 1.4' : `${card.problems.length} problem(s)`;
  const lines = [
    `${card.kind} card for ${describeImage(card.event)}: Workflows envelope, ${messageBytes(card.message)} bytes, ${check}`,
  ];
  if (card.sample) lines.push(sampleNote(card));
  lines.push(JSON.stringify(card.message, null, 2));
  return lines.join('\n');
}

function sampleNote(card: Card): string {
  return `(a sample ${card.kind} outcome built from ${describeImage(card.event)}: file changes, commits, links and counts are made up)`;
}

/** OUT for one card; OUT with -1, -2 … before the extension for several. */
function htmlPaths(out: string, count: number): string[] {
  if (count === 1) return [out];
  const extension = extname(out);
  const stem = extension ? out.slice(0, -extension.length) : out;
  return Array.from({ length: count }, (_, index) => `${stem}-${index + 1}${extension || '.html'}`);
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}
