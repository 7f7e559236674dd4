import type * as AdaptiveCards from 'adaptivecards';
import { cardVersion } from '../../domain/cards/card-elements';
import { cardOf, checkTeamsMessage, type TeamsMessageMode } from '../../domain/cards/teams-message';

/**
 * The adaptivecards library, loaded from its UMD bundle: the package's `lib/` entry is ESM with
 * extensionless imports and fails to load in Node (reference §3.1). The bundle parses and validates
 * without a DOM.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const AC = require('adaptivecards/dist/adaptivecards.js') as typeof AdaptiveCards;

/**
 * Every problem with a Teams message: the adaptivecards library's parse and validation events against
 * card version 1.4 (unknown or newer elements, bad property values, duplicate ids, missing urls), plus
 * `checkTeamsMessage`'s structural checks the library does not make. Empty when the message is fine.
 */
export function validateTeamsMessage(message: unknown, mode: TeamsMessageMode): string[] {
  const problems = checkTeamsMessage(message, mode);
  const card = mode === 'envelope' ? cardOf(message) : message;
  if (typeof card !== 'object' || card === null) return problems;
  const context = new AC.SerializationContext(AC.Version.parse(cardVersion, new AC.SerializationContext()));
  const parsed = new AC.AdaptiveCard();
  parsed.parse(card, context);
  for (let index = 0; index < context.eventCount; index++) {
    const event = context.getEventAt(index);
    problems.push(`adaptivecards parse: ${AC.ValidationEvent[event.event]}: ${event.message}`);
  }
  for (const event of parsed.validateProperties().validationEvents) {
    problems.push(`adaptivecards validation: ${AC.ValidationEvent[event.event]}: ${event.message}`);
  }
  return problems;
}
