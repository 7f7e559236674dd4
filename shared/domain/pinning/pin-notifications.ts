import { createHash } from 'node:crypto';
import { type Notification, type NotificationPayload, type PinRequest } from '../messages/action-messages';
import type { RewriteChange, RewriteSkip } from './rewrite-types';
import { outcomeNotifications } from '../messages/outcome-notifications';
import { summarizeSkips } from './skip-summary';

type Pinned = Extract<NotificationPayload, { kind: 'pinned' }>;

/**
 * Azure Storage queue messages hold 64 KiB of base64 text, about 48 KiB of JSON; stay well below so the
 * envelope and a long event fit too.
 */
const maxPayloadBytes = 40_000;
/** A minified manifest can have very long lines; the card shows a reference, not the whole line. */
const maxLineChars = 400;
const maxErrorChars = 4_000;

/**
 * The idempotency key of this pin's outcome notifications: the event's key, the action, the gitops
 * repo and a short hash of the paths and mode. The Teams consumer posts a card once per
 * dedupeKey + kind + channel, so a redelivered pin request does not post its card twice, while a
 * `failed` card of the pin and of a deployment of the same push (or two rules pinning into different
 * repos) stay distinct.
 */
export function pinOutcomeKey(request: Pick<PinRequest, 'dedupeKey' | 'repo' | 'paths' | 'mode'>): string {
  const scope = createHash('sha256')
    .update([...request.paths, request.mode].join('\n'))
    .digest('hex')
    .slice(0, 8);
  return `${request.dedupeKey}:pin:${request.repo}:${scope}`;
}

/** What a finished pin reports. */
export interface PinReport {
  result: Pinned['result'];
  changes: readonly RewriteChange[];
  skipped: readonly RewriteSkip[];
  commit?: string | undefined;
  commitUrl?: string | undefined;
  pullRequestUrl?: string | undefined;
}

/** One `pinned` notification per notify route that asked for them, validated against the contract. */
export function pinnedNotifications(request: PinRequest, report: PinReport): Notification[] {
  const payload = fitPinned({
    kind: 'pinned',
    event: request.event,
    repo: request.repo,
    result: report.result,
    files: report.changes.map(({ file, line, before, after }) => ({
      file,
      line,
      before: cut(before, maxLineChars),
      after: cut(after, maxLineChars),
    })),
    skipped: report.skipped.map(({ file, line, reason, kind }) => ({
      file,
      line,
      reason: cut(reason, maxLineChars),
      kind,
    })),
    ...(report.skipped.length > 0 ? { skipSummary: summarizeSkips(report.skipped) } : {}),
    ...(report.commit ? { commit: report.commit } : {}),
    ...(report.commitUrl ? { commitUrl: report.commitUrl } : {}),
    ...(report.pullRequestUrl ? { pullRequestUrl: report.pullRequestUrl } : {}),
  });
  return toRoutes(request, payload);
}

/** One `failed` notification per notify route that asked for them. */
export function failedNotifications(
  request: PinRequest,
  failure: { error: string; attempts: number; poisoned: boolean; parkedOn?: string },
): Notification[] {
  return toRoutes(request, {
    kind: 'failed',
    action: 'pin',
    error: cut(failure.error, maxErrorChars),
    attempts: failure.attempts,
    poisoned: failure.poisoned,
    ...(failure.parkedOn === undefined ? {} : { parkedOn: failure.parkedOn }),
    event: request.event,
    target: request.repo,
  });
}

function toRoutes(request: PinRequest, payload: NotificationPayload): Notification[] {
  return outcomeNotifications(request, pinOutcomeKey(request), payload);
}

/**
 * Keeps the payload inside a queue message: a release that touches hundreds of files lists the first
 * ones (halving until it fits); the commit or pull request link shows the rest.
 */
function fitPinned(payload: Pinned): Pinned {
  let fitted = payload;
  while (Buffer.byteLength(JSON.stringify(fitted)) > maxPayloadBytes) {
    if (fitted.files.length <= 1 && fitted.skipped.length <= 1) break;
    fitted = {
      ...fitted,
      files: fitted.files.slice(0, Math.ceil(fitted.files.length / 2)),
      skipped: fitted.skipped.slice(0, Math.ceil(fitted.skipped.length / 2)),
    };
  }
  return fitted;
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
