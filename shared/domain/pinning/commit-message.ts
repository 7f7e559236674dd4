import { ConfigError } from '../errors';
import { shortDigest, type ImageEvent } from '../events/image-event';
import type { RewriteChange, RewriteSkip } from './rewrite-types';
import { summarizeSkips } from './skip-summary';

/**
 * The commit message and pull-request text of a pin.
 *
 * `gitops.<repo>.commitMessage` is a template; `{{name}}` (spaces inside the braces allowed) is replaced
 * by one of `commitMessagePlaceholders`. The first line is the subject (and the pull request's title).
 * The trailer `Autopilot-Event: <event id>` is appended unless the template writes it itself, so a
 * commit can always be traced back to the push that caused it.
 */

/** What a commit-message template may use, with an example of each. */
export const commitMessagePlaceholders = {
  repository: 'image repository, e.g. payments/api',
  tag: 'pushed tag, e.g. 1.4.2',
  digest: 'pushed digest, e.g. sha256:<64 hex>',
  shortDigest: 'algorithm and first 12 hex characters, e.g. sha256:0123456789ab',
  registry: 'login server, e.g. myreg.azurecr.io',
  image: 'registry/repository:tag, e.g. myreg.azurecr.io/payments/api:1.4.2',
  repo: 'key of the gitops repository in the config, e.g. fleet',
  branch: 'branch the commit goes to, e.g. main or autopilot/payments-api-1.4.2',
  files: 'changed files, one "- path" line each',
  fileCount: 'number of changed files',
  changeCount: 'number of changed lines',
  eventId: 'id of the push event',
  rule: 'name of the rule that asked for the pin, or rules[N]',
} as const;
export type CommitMessagePlaceholder = keyof typeof commitMessagePlaceholders;

/** Used when `gitops.<repo>.commitMessage` is not set: a Conventional Commits subject, then the files. */
export const defaultCommitMessage =
  'chore(images): pin {{repository}}:{{tag}} to {{shortDigest}}\n\n' +
  'Pin {{image}} to {{digest}}.\n\nChanged files:\n{{files}}\n';

const trailerKey = 'Autopilot-Event';
/** Files named in a message body; a release touching hundreds of files gets a count for the rest. */
const maxListedFiles = 50;
/** Changes shown in a pull-request body (Azure DevOps cuts bodies at 4,000 characters anyway). */
const maxListedChanges = 30;
const placeholderPattern = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** What a message is rendered from: the push, where the commit goes, and what the rewrite changed. */
export interface CommitMessageInput {
  event: ImageEvent;
  repo: string;
  branch: string;
  rule: { index: number; name?: string | undefined };
  changes: readonly RewriteChange[];
}

/**
 * Renders `template` (default `defaultCommitMessage`) for a pin. Throws `ConfigError` for a placeholder
 * that does not exist, naming the config path and the ones that do.
 */
export function renderCommitMessage(template: string | undefined, input: CommitMessageInput): string {
  const values = placeholderValues(input);
  const text = (template ?? defaultCommitMessage).replace(placeholderPattern, (whole, name: string) => {
    if (!Object.hasOwn(values, name)) {
      throw new ConfigError(
        `gitops.${input.repo}.commitMessage uses the unknown placeholder ${whole}; ` +
          `known: ${Object.keys(commitMessagePlaceholders)
            .map((key) => `{{${key}}}`)
            .join(', ')}`,
      );
    }
    return values[name as CommitMessagePlaceholder];
  });
  const body = text.replace(/\s+$/, '');
  if (body.includes(`${trailerKey}:`)) return `${body}\n`;
  return `${body}\n\n${trailerKey}: ${input.event.id}\n`;
}

/** The first line of a commit message: the pull request's title. */
export function subjectOf(message: string): string {
  return message.split('\n', 1)[0]?.trim() || 'Pin image digest';
}

/** Markdown for the pull request: what moved where (as small diffs), what was skipped, and whose branch it is. */
export function pullRequestBody(
  input: CommitMessageInput & { baseBranch: string; skipped: readonly RewriteSkip[] },
): string {
  const { event, changes, skipped } = input;
  const lines = [
    `Pins \`${imageName(event)}\` to \`${event.digest}\` ` +
      `in ${count(changedFiles(changes).length, 'file')}.`,
    '',
  ];
  if (changes.length > 0) {
    lines.push('```diff');
    for (const change of changes.slice(0, maxListedChanges)) {
      lines.push(`# ${change.file}:${change.line}`);
      if (change.before !== '') lines.push(`- ${fenceSafe(change.before)}`);
      lines.push(`+ ${fenceSafe(change.after)}`);
    }
    lines.push('```');
    if (changes.length > maxListedChanges) lines.push(`…and ${changes.length - maxListedChanges} more.`);
    lines.push('');
  }
  if (skipped.length > 0) {
    lines.push(`${summarizeSkips(skipped)}.`, '');
    for (const skip of skipped.slice(0, maxListedChanges)) {
      lines.push(`- \`${fenceSafe(skip.file)}:${skip.line}\`: ${skip.reason}`);
    }
    if (skipped.length > maxListedChanges) lines.push(`- …and ${skipped.length - maxListedChanges} more`);
    lines.push('');
  }
  lines.push(
    `Opened by acr-autopilot for event \`${event.id}\`. The branch \`${input.branch}\` is rebuilt on ` +
      `\`${input.baseBranch}\` for every push of this tag: do not push to it.`,
  );
  return lines.join('\n');
}

/** Changed files in first-seen order. */
export function changedFiles(changes: readonly RewriteChange[]): string[] {
  return [...new Set(changes.map((change) => change.file))];
}

function placeholderValues(input: CommitMessageInput): Record<CommitMessagePlaceholder, string> {
  const { event, changes } = input;
  const files = changedFiles(changes);
  const listed = files.slice(0, maxListedFiles).map((file) => `- ${file}`);
  if (files.length > maxListedFiles) listed.push(`- …and ${files.length - maxListedFiles} more`);
  return {
    repository: event.repository,
    tag: event.tag ?? '',
    digest: event.digest,
    shortDigest: shortDigest(event.digest),
    registry: event.registry,
    image: imageName(event),
    repo: input.repo,
    branch: input.branch,
    files: listed.join('\n'),
    fileCount: String(files.length),
    changeCount: String(changes.length),
    eventId: event.id,
    rule: input.rule.name ?? `rules[${input.rule.index}]`,
  };
}

/** `registry/repository:tag`, the parts the event has. */
function imageName(event: ImageEvent): string {
  return `${event.registry ? `${event.registry}/` : ''}${event.repository}${event.tag ? `:${event.tag}` : ''}`;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** A line inside a ``` fence must not close it. */
function fenceSafe(text: string): string {
  return text.replace(/`{3,}/g, (ticks) => ticks.split('').join('\u200b'));
}
