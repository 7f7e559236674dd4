/**
 * The subset of Adaptive Cards 1.4 that Teams Workflows render. The types admit nothing else, so a card
 * builder cannot emit `Action.Submit` (not supported by webhook-posted cards) or a 1.5 element such as
 * `Table` (cards above 1.4 show "this card couldn't be displayed" when posted through Power Automate).
 * See shared/reference/teams-infra-security.md §1.2.
 */

import { clip } from './card-text';

export const cardVersion = '1.4';
export const cardSchemaUrl = 'http://adaptivecards.io/schemas/adaptive-card.json';

export type Spacing = 'None' | 'Small' | 'Default' | 'Medium' | 'Large' | 'ExtraLarge' | 'Padding';
export type TextColor = 'Default' | 'Dark' | 'Light' | 'Accent' | 'Good' | 'Warning' | 'Attention';
export type ContainerStyle = 'default' | 'emphasis' | 'good' | 'attention' | 'warning' | 'accent';

interface ElementBase {
  id?: string;
  spacing?: Spacing;
  separator?: boolean;
  isVisible?: boolean;
}

export interface TextBlock extends ElementBase {
  type: 'TextBlock';
  /** Teams applies its markdown subset; user-controlled parts must go through `escapeMarkdown`. */
  text: string;
  wrap?: boolean;
  size?: 'Small' | 'Default' | 'Medium' | 'Large' | 'ExtraLarge';
  weight?: 'Lighter' | 'Default' | 'Bolder';
  color?: TextColor;
  isSubtle?: boolean;
  fontType?: 'Default' | 'Monospace';
}

export interface Fact {
  title: string;
  value: string;
}

export interface FactSet extends ElementBase {
  type: 'FactSet';
  facts: Fact[];
}

export interface Container extends ElementBase {
  type: 'Container';
  items: CardElement[];
  style?: ContainerStyle;
  bleed?: boolean;
}

export interface Column {
  type: 'Column';
  items: CardElement[];
  width?: 'auto' | 'stretch';
  spacing?: Spacing;
}

export interface ColumnSet extends ElementBase {
  type: 'ColumnSet';
  columns: Column[];
}

export type CardElement = TextBlock | FactSet | Container | ColumnSet;

export interface OpenUrlAction {
  type: 'Action.OpenUrl';
  title: string;
  url: string;
}

export interface ShowCardAction {
  type: 'Action.ShowCard';
  title: string;
  card: NestedCard;
}

export interface ToggleVisibilityAction {
  type: 'Action.ToggleVisibility';
  title: string;
  targetElements: string[];
}

export type CardAction = OpenUrlAction | ShowCardAction | ToggleVisibilityAction;

/** The card inside an `Action.ShowCard`; it inherits the version of the card around it. */
export interface NestedCard {
  type: 'AdaptiveCard';
  body: CardElement[];
  actions?: CardAction[];
}

export interface AdaptiveCard {
  $schema: typeof cardSchemaUrl;
  type: 'AdaptiveCard';
  version: typeof cardVersion;
  /** Without it Teams renders cards at a narrow fixed width (fluxcd/notification-controller#956). */
  msteams: { width: 'Full' };
  /** Shown by clients that cannot render the card, and a plain-text summary for everyone else. */
  fallbackText?: string;
  body: CardElement[];
  actions?: CardAction[];
}

/** Element and action type names a card may contain; `checkTeamsMessage` walks the tree against them. */
export const allowedElementTypes: ReadonlySet<string> = new Set<CardElement['type'] | Column['type']>([
  'TextBlock',
  'FactSet',
  'Container',
  'ColumnSet',
  'Column',
]);
export const allowedActionTypes: ReadonlySet<string> = new Set<CardAction['type']>([
  'Action.OpenUrl',
  'Action.ShowCard',
  'Action.ToggleVisibility',
]);

type Options<T> = Omit<T, 'type'>;

export function textBlock(text: string, options: Omit<Options<TextBlock>, 'text'> = {}): TextBlock {
  return { type: 'TextBlock', text, wrap: true, ...options };
}

export function factSet(facts: Fact[], options: Omit<Options<FactSet>, 'facts'> = {}): FactSet {
  return { type: 'FactSet', facts, ...options };
}

export function container(items: CardElement[], options: Omit<Options<Container>, 'items'> = {}): Container {
  return { type: 'Container', items, ...options };
}

export function columnSet(columns: Column[], options: Omit<Options<ColumnSet>, 'columns'> = {}): ColumnSet {
  return { type: 'ColumnSet', columns, ...options };
}

export function column(items: CardElement[], options: Omit<Options<Column>, 'items'> = {}): Column {
  return { type: 'Column', items, ...options };
}

export function openUrl(title: string, url: string): OpenUrlAction {
  return { type: 'Action.OpenUrl', title, url };
}

export function showCard(title: string, body: CardElement[]): ShowCardAction {
  return { type: 'Action.ShowCard', title, card: { type: 'AdaptiveCard', body } };
}

/** A monospace block: the way to show digests and image references so they can be selected and copied. */
export function codeBlock(
  text: string,
  options: Omit<Options<TextBlock>, 'text' | 'fontType'> = {},
): TextBlock {
  return textBlock(text, { fontType: 'Monospace', ...options });
}

/**
 * The card root every builder returns; `buildTeamsMessage` wraps it for Workflows. `fallbackText` is
 * plain text (no markdown), typically the card's title.
 */
export function adaptiveCard(body: CardElement[], actions: CardAction[], fallbackText: string): AdaptiveCard {
  return {
    $schema: cardSchemaUrl,
    type: 'AdaptiveCard',
    version: cardVersion,
    msteams: { width: 'Full' },
    fallbackText: clip(fallbackText, 200),
    body,
    ...(actions.length ? { actions } : {}),
  };
}
