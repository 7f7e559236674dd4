import { writeFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
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
import { loadCliConfig } from './load-cli-config';
import { parsePayload } from '../domain/events/parse-payload';
import { parseContextFor } from '../runtime/parse-context';
import { readEventFile } from './simulate-command';

export const cardUsage =
  'acr-autopilot card --event FILE [--kind pushed|deleted|pinned|deployed|retention|failed] [--config F] [--json] [--html OUT]';

interface Card {
  event: ImageEvent;
  kind: NotifyKind;
  sample: boolean;
  message: TeamsMessage;
  problems: string[];
}

/**
 * Prints the Workflows envelope `notifyTeams` would post for each event in FILE (a webhook body or an
 * Event Grid delivery), checked with the adaptivecards library. Posts nothing. `--json` prints only the
 * envelope (an array when FILE holds several events); `--html` writes a preview page per card.
 */
export async function cardCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      event: { type: 'string' },
      kind: { type: 'string' },
      config: { type: 'string' },
      json: { type: 'boolean', default: false },
      html: { type: 'string' },
    },
  });
  if (!values.event) throw new UsageError(`--event FILE is required\nusage: ${cardUsage}`);
  const kind = values.kind;
  if (kind !== undefined && !isNotifyKind(kind)) {
    throw new UsageError(
      `--kind must be one of ${notifyKinds.join(', ')}, not "${kind}"\nusage: ${cardUsage}`,
    );
  }
  const body = await readEventFile(resolve(io.cwd, values.event));
  const { config } = await loadCliConfig(io, values.config, { required: false });

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
    io.stderr(`${values.event} holds no push or delete event to build a card for\n`);
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
  if (values.json) {
    io.stdout(
      `${JSON.stringify(cards.length === 1 && only ? only.message : cards.map((c) => c.message), null, 2)}\n`,
    );
    // stdout stays pure JSON; the note that details are made up goes next to it.
    for (const card of cards.filter((c) => c.sample)) io.stderr(`${sampleNote(card)}\n`);
  } else {
    io.stdout(`${cards.map(describeCard).join('\n\n')}\n`);
  }
  if (values.html) {
    const files = htmlPaths(resolve(io.cwd, values.html), cards.length);
    for (const [index, card] of cards.entries()) {
      const file = files[index] as string;
      const page = renderCardHtml(card.message, { title: `${card.kind}: ${describeImage(card.event)}` });
      await writeFile(file, page).catch((error: unknown) => {
        throw new UsageError(`cannot write ${file}: ${(error as Error).message}`);
      });
      if (!values.json) io.stdout(`wrote ${file}\n`);
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

function isNotifyKind(value: string): value is NotifyKind {
  return (notifyKinds as readonly string[]).includes(value);
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}
