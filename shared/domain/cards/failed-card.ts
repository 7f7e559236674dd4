import type { NotificationPayload } from '../messages/action-messages';
import { queueNames } from '../messages/queues';
import { queueOfPoison, replayCommand } from '../messages/replay-command';
import {
  adaptiveCard,
  codeBlock,
  factSet,
  showCard,
  textBlock,
  type AdaptiveCard,
  type Fact,
} from './card-elements';
import { count, firstSentence } from './card-text';
import { header, imageFact, imageLabel, safe, type CardContext } from './card-parts';

type Failed = Extract<NotificationPayload, { kind: 'failed' }>;

const actionNames: Record<Failed['action'], string> = {
  pin: 'Pinning the digest',
  deploy: 'Triggering the deployment',
  notify: 'Posting to Teams',
  retention: 'The retention run',
};

const actionQueues: Record<Failed['action'], string> = {
  pin: queueNames.pin,
  deploy: queueNames.deploy,
  notify: queueNames.notify,
  retention: queueNames.retention,
};

/** The full error behind "Show details" is cut here; the function logs have all of it. */
const maxErrorDetailChars = 2_000;

/** Card for an action that failed: which, why in one sentence, how often it was tried, where it went. */
export function failedCard(payload: Failed, _context: CardContext): AdaptiveCard {
  const subject = [payload.target, payload.event ? imageLabel(payload.event) : undefined]
    .filter(Boolean)
    .join(' · ');
  const title = `${actionNames[payload.action]} failed${subject ? `: ${subject}` : ''}`;
  const queue = payload.parkedOn ? queueOfPoison(payload.parkedOn) : actionQueues[payload.action];
  const poison = payload.parkedOn ?? 'its poison queue';
  const sentence = firstSentence(payload.error);
  const facts: Fact[] = [
    { title: 'Action', value: payload.action },
    ...(payload.target ? [{ title: 'Target', value: safe(payload.target) }] : []),
    ...(payload.event ? [imageFact(payload.event)] : []),
    { title: 'Attempts', value: String(payload.attempts) },
    { title: 'Queue', value: payload.poisoned ? `moved to ${poison}` : `${queue} (will be retried)` },
  ];
  const hasMore = payload.error.replace(/\s+/g, ' ').trim() !== sentence;
  return adaptiveCard(
    [
      header(
        title,
        payload.poisoned ? 'Gave up and moved the message to the poison queue' : undefined,
        'attention',
      ),
      textBlock(safe(sentence || 'No error message was recorded.'), { color: 'Attention', weight: 'Bolder' }),
      factSet(facts),
      textBlock(
        payload.poisoned
          ? `It failed ${count(payload.attempts, 'time')} and went to ${payload.parkedOn ? `the poison queue ${poison}` : poison}. ` +
              'Fix the cause, then replay it with:'
          : `It failed ${count(payload.attempts, 'time')} so far; the queue will try again.`,
        { isSubtle: true },
      ),
      ...(payload.poisoned
        ? [
            codeBlock(safe(replayCommand(queue, payload.event?.dedupeKey)), {
              size: 'Small',
              spacing: 'None',
            }),
          ]
        : []),
    ],
    hasMore
      ? [
          showCard('Show full error', [
            codeBlock(safe(payload.error, maxErrorDetailChars), { size: 'Small' }),
          ]),
        ]
      : [],
    title,
  );
}
