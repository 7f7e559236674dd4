import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CardPayload } from '../../shared/domain/cards/build-teams-message';
import { foldedPushesSchema } from '../../shared/domain/cards/burst-folding';
import { notificationPayloadSchema } from '../../shared/domain/messages/action-messages';

/** Realistic card payloads in test/fixtures/cards, one file per case, validated like queue messages. */
const directory = fileURLToPath(new URL('../fixtures/cards/', import.meta.url));

export const cardFixtureNames: string[] = readdirSync(directory)
  .filter((name) => name.endsWith('.json'))
  .map((name) => name.slice(0, -'.json'.length))
  .sort();

export function loadCardFixture(name: string): CardPayload {
  const json: unknown = JSON.parse(readFileSync(`${directory}${name}.json`, 'utf8'));
  const kind = (json as { kind?: unknown }).kind;
  return kind === 'pushed-burst' ? foldedPushesSchema.parse(json) : notificationPayloadSchema.parse(json);
}

/** A typed fixture of one kind, for tests that modify it. */
export function loadFixtureOf<K extends CardPayload['kind']>(
  name: string,
  kind: K,
): Extract<CardPayload, { kind: K }> {
  const payload = loadCardFixture(name);
  if (payload.kind !== kind) throw new Error(`fixture ${name} is a ${payload.kind}, not a ${kind}`);
  return payload as Extract<CardPayload, { kind: K }>;
}
