import { allowedActionTypes, allowedElementTypes, cardVersion, type AdaptiveCard } from './card-elements';
import { messageBytes, teamsMessageLimitBytes } from './fit-to-size';

/**
 * `envelope`: the message the Microsoft template flow ("Post to a channel when a webhook request is
 * received") loops over (`attachments[].content`). `card`: the bare card, for hand-built flows whose
 * "Post card in a chat or channel" takes `triggerBody()` directly. Reference §1.2.
 */
export type TeamsMessageMode = 'envelope' | 'card';

export const adaptiveCardContentType = 'application/vnd.microsoft.card.adaptive';

export interface WorkflowsEnvelope {
  type: 'message';
  attachments: [{ contentType: typeof adaptiveCardContentType; contentUrl: null; content: AdaptiveCard }];
}

export type TeamsMessage = WorkflowsEnvelope | AdaptiveCard;

/** The card as the flow expects it. */
export function wrapCard(card: AdaptiveCard, mode: TeamsMessageMode): TeamsMessage {
  if (mode === 'card') return card;
  return {
    type: 'message',
    attachments: [{ contentType: adaptiveCardContentType, contentUrl: null, content: card }],
  };
}

/** The card inside a message of either mode; undefined when `message` is neither shape. */
export function cardOf(message: unknown): unknown {
  if (!isRecord(message)) return undefined;
  if (message['type'] === 'AdaptiveCard') return message;
  const attachments = message['attachments'];
  if (message['type'] !== 'message' || !Array.isArray(attachments)) return undefined;
  const first: unknown = attachments[0];
  return isRecord(first) ? first['content'] : undefined;
}

/**
 * Structural checks the adaptivecards library does not make (it accepts `Action.Submit`, a missing
 * version and more; reference §3.1): envelope shape, version 1.4, full width, only element and action
 * types Teams Workflows render, and the size limit. Returns problems, empty when the message is fine.
 */
export function checkTeamsMessage(message: unknown, mode: TeamsMessageMode): string[] {
  const problems: string[] = [];
  if (mode === 'envelope') {
    if (!isRecord(message) || message['type'] !== 'message')
      problems.push('envelope: type must be "message"');
    const attachments = isRecord(message) ? message['attachments'] : undefined;
    if (!Array.isArray(attachments) || attachments.length !== 1) {
      problems.push('envelope: attachments must hold exactly one card');
    } else {
      const [attachment] = attachments as unknown[];
      if (!isRecord(attachment) || attachment['contentType'] !== adaptiveCardContentType) {
        problems.push(`envelope: attachments[0].contentType must be ${adaptiveCardContentType}`);
      } else if (attachment['contentUrl'] !== null) {
        problems.push('envelope: attachments[0].contentUrl must be null');
      }
    }
  }
  const card = mode === 'envelope' ? cardOf(message) : message;
  if (!isRecord(card) || card['type'] !== 'AdaptiveCard') {
    problems.push('card: type must be "AdaptiveCard"');
    return problems;
  }
  if (card['version'] !== cardVersion) problems.push(`card: version must be "${cardVersion}"`);
  const msteams = card['msteams'];
  if (!isRecord(msteams) || msteams['width'] !== 'Full') problems.push('card: msteams.width must be "Full"');
  walk(card, 'card', problems);
  const bytes = messageBytes(message);
  if (bytes >= teamsMessageLimitBytes) {
    problems.push(`size: ${bytes} bytes, Teams accepts less than ${teamsMessageLimitBytes}`);
  }
  return problems;
}

/** Visits body/items/columns/actions/ShowCard cards and reports every type outside the allowed sets. */
function walk(node: Record<string, unknown>, path: string, problems: string[]): void {
  for (const key of ['body', 'items', 'columns'] as const) {
    const children = node[key];
    if (children === undefined) continue;
    if (!Array.isArray(children)) {
      problems.push(`${path}.${key}: must be an array`);
      continue;
    }
    children.forEach((child: unknown, index) => {
      const at = `${path}.${key}[${index}]`;
      if (!isRecord(child) || typeof child['type'] !== 'string' || !allowedElementTypes.has(child['type'])) {
        problems.push(`${at}: element type ${describeType(child)} is not one Teams Workflows render`);
      } else walk(child, at, problems);
    });
  }
  const actions = node['actions'];
  if (actions === undefined) return;
  if (!Array.isArray(actions)) {
    problems.push(`${path}.actions: must be an array`);
    return;
  }
  actions.forEach((action: unknown, index) => {
    const at = `${path}.actions[${index}]`;
    if (!isRecord(action) || typeof action['type'] !== 'string' || !allowedActionTypes.has(action['type'])) {
      problems.push(`${at}: action type ${describeType(action)} is not supported by Teams Workflows`);
      return;
    }
    const nested = action['card'];
    if (action['type'] === 'Action.ShowCard') {
      if (isRecord(nested)) walk(nested, `${at}.card`, problems);
      else problems.push(`${at}.card: must be a card`);
    }
  });
}

function describeType(value: unknown): string {
  return isRecord(value) && typeof value['type'] === 'string' ? `"${value['type']}"` : '(missing)';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
