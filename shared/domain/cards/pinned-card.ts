import type { NotificationPayload } from '../messages/action-messages';
import {
  adaptiveCard,
  codeBlock,
  container,
  factSet,
  openUrl,
  textBlock,
  type AdaptiveCard,
  type CardAction,
  type CardElement,
  type Fact,
} from './card-elements';
import { count, safeLink } from './card-text';
import { header, imageFact, imageLabel, safe, type CardContext } from './card-parts';
import { andMore, capItems } from './fit-to-size';
import { summarizeSkips } from '../pinning/skip-summary';

type Pinned = Extract<NotificationPayload, { kind: 'pinned' }>;

const resultNames: Record<Pinned['result'], string> = {
  committed: 'Committed',
  'pull-request': 'Pull request opened',
  'no-change': 'No change needed',
};

/**
 * Card for a digest pinned into a GitOps repository: what changed where, and what was skipped, with a
 * one-line summary of why (`3 mentions skipped: 2 other tag, 1 templated`).
 */
export function pinnedCard(payload: Pinned, context: CardContext): AdaptiveCard {
  const image = imageLabel(payload.event);
  const title =
    payload.result === 'no-change'
      ? `Already pinned: ${image} in ${payload.repo}`
      : payload.result === 'pull-request'
        ? `Pull request to pin ${image} in ${payload.repo}`
        : `Pinned ${image} in ${payload.repo}`;
  const facts: Fact[] = [
    imageFact(payload.event),
    { title: 'GitOps repo', value: safe(payload.repo) },
    { title: 'Result', value: resultNames[payload.result] },
    ...(payload.commit ? [{ title: 'Commit', value: safe(payload.commit.slice(0, 12)) }] : []),
  ];

  const files = capItems(payload.files, context.listLimit);
  const skipped = capItems(payload.skipped, context.listLimit);
  const style = payload.result === 'no-change' ? 'emphasis' : 'good';
  const body: CardElement[] = [header(title, `${count(payload.files.length, 'file')} changed`, style)];
  body.push(factSet(facts));
  if (payload.result === 'no-change' && payload.files.length === 0) {
    body.push(textBlock('No file needed a change: every marked reference already points to this digest.'));
  }
  if (payload.files.length) {
    body.push(textBlock(`Changed (${payload.files.length})`, { weight: 'Bolder', spacing: 'Medium' }));
    body.push(...files.shown.map(changeBlock), ...andMore(files.hidden, 'file'));
  }
  if (payload.skipped.length) {
    // Over every skip, also those cut from the list to fit the message (older messages carry no kinds).
    const summary =
      payload.skipSummary ??
      (payload.skipped.some((skip) => skip.kind !== undefined) ? summarizeSkips(payload.skipped) : '');
    body.push(
      textBlock(`Skipped references (${payload.skipped.length})`, {
        weight: 'Bolder',
        color: 'Warning',
        spacing: 'Medium',
      }),
      ...(summary === '' ? [] : [textBlock(safe(summary), { spacing: 'Small', isSubtle: true })]),
      ...skipped.shown.map((skip) =>
        textBlock(
          `${safe(skip.line === undefined ? skip.file : `${skip.file}:${skip.line}`)} — ${safe(skip.reason)}`,
          {
            spacing: 'Small',
          },
        ),
      ),
      ...andMore(skipped.hidden, 'skipped reference'),
    );
  }

  const actions: CardAction[] = [];
  const pullRequestUrl = safeLink(payload.pullRequestUrl);
  const commitUrl = safeLink(payload.commitUrl);
  if (pullRequestUrl) actions.push(openUrl('Open pull request', pullRequestUrl));
  if (commitUrl) actions.push(openUrl('Open commit', commitUrl));
  return adaptiveCard(body, actions, title);
}

/** `apps/web/deploy.yaml:12` then the old and new reference, monospace so they line up and can be copied. */
function changeBlock(change: Pinned['files'][number]): CardElement {
  return container(
    [
      textBlock(safe(`${change.file}:${change.line}`), { weight: 'Bolder', size: 'Small' }),
      codeBlock(diffLine('−', change.before), { size: 'Small', spacing: 'None', color: 'Attention' }),
      codeBlock(diffLine('+', change.after), { size: 'Small', spacing: 'None', color: 'Good' }),
    ],
    { spacing: 'Small' },
  );
}

/** Past this many characters a line is broken before its `@digest`, which Teams would cut at the edge. */
const wrapAt = 60;

/**
 * One side of a change, escaped as a whole so a leading `+` stays a character instead of becoming a
 * markdown bullet; a long reference is broken before `@sha256:…` (a markdown line break), because a
 * monospace line without spaces is cut at the card's edge instead of wrapping.
 */
function diffLine(sign: '−' | '+', text: string): string {
  const at = text.lastIndexOf('@');
  if (text.length + 2 <= wrapAt || at <= 0) return safe(`${sign} ${text}`);
  return `${safe(`${sign} ${text.slice(0, at)}`)}\n\n${safe(`  ${text.slice(at)}`)}`;
}
