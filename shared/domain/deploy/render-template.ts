import { ConfigError } from '../errors';
import type { ImageEvent } from '../events/image-event';
import type { LandedPinInfo } from '../messages/action-messages';

/**
 * The small template syntax of deploy target values (`inputs`, `clientPayload`, `eventType`,
 * `templateParameters`, `variables`): `{{name}}`, spaces inside the braces allowed, replaced by one
 * of `deployTemplateVariables`. Rendering only ever produces strings that go into string fields of a
 * request object, which is serialized with `JSON.stringify` afterwards: a quote or a newline in a
 * value cannot break out of its JSON string.
 */

/** What a deploy template may use, with an example of each. */
export const deployTemplateVariables = {
  repository: 'image repository, e.g. payments/api',
  tag: 'pushed tag (empty for a digest-only push), e.g. 1.4.2',
  digest: 'pushed digest, e.g. sha256:<64 hex>',
  registry: 'login server, e.g. myreg.azurecr.io',
  image: 'registry/repository@digest, e.g. myreg.azurecr.io/payments/api@sha256:<64 hex>',
  commit: 'sha of the pin commit (with deploy.after: pin), e.g. 3f9a1c7…',
  commitUrl: 'web link of the pin commit (with deploy.after: pin)',
  pullRequestUrl: 'pull request of the pin (with deploy.after: pin in pull-request mode)',
} as const;
export type DeployTemplateVariable = keyof typeof deployTemplateVariables;
export type DeployTemplateValues = Record<DeployTemplateVariable, string>;

/** Variables that only have a value once the pin commit landed (`deploy: { after: pin }`). */
export const afterPinVariables: readonly DeployTemplateVariable[] = ['commit', 'commitUrl', 'pullRequestUrl'];

const placeholderPattern = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** The names a template uses, in order of appearance, each once. */
export function templateVariablesIn(template: string): string[] {
  return [...new Set([...template.matchAll(placeholderPattern)].map((match) => match[1] ?? ''))];
}

/** One sentence per unknown variable in `template`; empty when it renders. */
export function templateProblems(template: string): string[] {
  return templateVariablesIn(template)
    .filter((name) => !Object.hasOwn(deployTemplateVariables, name))
    .map((name) => `unknown template variable {{${name}}}; known: ${knownList()}`);
}

/** The text around the variables: what every rendering has at least. */
export function withoutVariables(template: string): string {
  return template.replace(placeholderPattern, '');
}

/** Replaces every `{{name}}`; an unknown name (a config that skipped validation) is a ConfigError. */
export function renderTemplate(template: string, values: DeployTemplateValues): string {
  return template.replace(placeholderPattern, (whole, name: string) => {
    if (!Object.hasOwn(values, name)) {
      throw new ConfigError(`unknown template variable ${whole}; known: ${knownList()}`);
    }
    return values[name as DeployTemplateVariable];
  });
}

/** Every string inside a JSON-like value (not the keys), with its path below `path`. */
export function stringsIn(value: unknown, path: PropertyKey[] = []): { path: PropertyKey[]; text: string }[] {
  if (typeof value === 'string') return [{ path, text: value }];
  if (Array.isArray(value)) return value.flatMap((item, index) => stringsIn(item, [...path, index]));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => stringsIn(item, [...path, key]));
  }
  return [];
}

/** Every string inside a JSON-like value rendered; keys, numbers, booleans and null kept. */
export function renderJsonStrings(value: unknown, values: DeployTemplateValues): unknown {
  if (typeof value === 'string') return renderTemplate(value, values);
  if (Array.isArray(value)) return value.map((item) => renderJsonStrings(item, values));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, renderJsonStrings(item, values)]),
    );
  }
  return value;
}

/** `registry/repository@digest`; just `repository@digest` when the event names no registry. */
export function imageByDigest(event: Pick<ImageEvent, 'registry' | 'repository' | 'digest'>): string {
  return `${event.registry ? `${event.registry}/` : ''}${event.repository}@${event.digest}`;
}

/** The values templates render with; what is unknown (no tag, no pin) is the empty string. */
export function templateValues(
  event: ImageEvent,
  pin?: Pick<LandedPinInfo, 'commit' | 'commitUrl' | 'pullRequestUrl'>,
): DeployTemplateValues {
  return {
    repository: event.repository,
    tag: event.tag ?? '',
    digest: event.digest,
    registry: event.registry,
    image: imageByDigest(event),
    commit: pin?.commit ?? '',
    commitUrl: pin?.commitUrl ?? '',
    pullRequestUrl: pin?.pullRequestUrl ?? '',
  };
}

function knownList(): string {
  return Object.keys(deployTemplateVariables)
    .map((key) => `{{${key}}}`)
    .join(', ');
}
