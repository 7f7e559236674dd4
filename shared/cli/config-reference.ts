/**
 * Every key of autopilot.yaml as a Markdown table (key, type, default, meaning), from the same JSON
 * Schema `config schema` prints: `config reference` shows it, README embeds it, and a test keeps the
 * two in step. Records read `<name>` (`gitops.<name>.url`), arrays `[]`, and each deploy target type's
 * own fields say which type they belong to.
 */

interface JsonSchema {
  type?: string | string[];
  description?: string;
  default?: unknown;
  const?: unknown;
  enum?: unknown[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  pattern?: string;
}

export interface ReferenceRow {
  key: string;
  type: string;
  default: string;
  meaning: string;
}

export function configReferenceRows(schema: JsonSchema): ReferenceRow[] {
  interface Entry {
    type: string;
    default: string;
    /** Description → the target types it belongs to ('' = every one). */
    notes: Map<string, string[]>;
  }
  const entries = new Map<string, Entry>();
  const variantCount = new Map<string, number>();
  const visit = (node: JsonSchema, key: string, kind = '') => {
    const variants = node.oneOf ?? node.anyOf;
    if (variants && variants.some((variant) => variant.properties?.type?.const !== undefined)) {
      variantCount.set(key, variants.length);
      for (const variant of variants) {
        const type = variant.properties?.type?.const;
        visit(variant, key, typeof type === 'string' ? type : kind);
      }
      return;
    }
    const shape = shapeOf(node);
    const grouping = shape === 'object' && node.properties && !node.description && node.default === undefined;
    if (key && !grouping) add(key, node, shape, kind);
    for (const [name, child] of Object.entries(node.properties ?? {})) {
      visit(child, key ? `${key}.${name}` : name, kind);
    }
    if (typeof node.additionalProperties === 'object' && hasChildren(node.additionalProperties)) {
      visit(node.additionalProperties, `${key}.<name>`, kind);
    }
    if (node.items && hasChildren(node.items)) visit(node.items, `${key}[]`, kind);
  };
  const add = (key: string, node: JsonSchema, shape: string, kind: string) => {
    let entry = entries.get(key);
    if (!entry) {
      entry = { type: shape, default: defaultOf(node.default), notes: new Map() };
      entries.set(key, entry);
    } else if (kind === '' || !entry.type.split(' | ').includes(shape)) {
      if (!entry.type.split(' | ').includes(shape)) entry.type = `${entry.type} | ${shape}`;
    }
    const kinds = entry.notes.get(node.description ?? '') ?? [];
    if (kind) kinds.push(kind);
    entry.notes.set(node.description ?? '', kinds);
  };
  visit(schema, '');
  const total = Math.max(0, ...variantCount.values());
  return [...entries].map(([key, entry]) => {
    const meaning = [...entry.notes]
      .map(([description, kinds]) => {
        const scope = kinds.length === 0 || kinds.length === total ? '' : `(${kinds.join(', ')})`;
        return [scope, description].filter(Boolean).join(' ');
      })
      .filter(Boolean)
      .join('; ');
    return { key, type: entry.type, default: entry.default, meaning };
  });
}

/** The rows as a Markdown table. */
export function configReferenceMarkdown(schema: JsonSchema): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const lines = ['| key | type | default | meaning |', '| --- | --- | --- | --- |'];
  for (const row of configReferenceRows(schema)) {
    lines.push(`| \`${cell(row.key)}\` | ${cell(row.type)} | ${cell(row.default)} | ${cell(row.meaning)} |`);
  }
  return `${lines.join('\n')}\n`;
}

function hasChildren(node: JsonSchema): boolean {
  return Boolean(
    node.properties ||
    node.oneOf?.some((variant) => variant.properties) ||
    node.anyOf?.some((variant) => variant.properties) ||
    (typeof node.additionalProperties === 'object' && hasChildren(node.additionalProperties)) ||
    (node.items && hasChildren(node.items)),
  );
}

function shapeOf(node: JsonSchema): string {
  if (node.const !== undefined) return JSON.stringify(node.const);
  if (node.enum) return node.enum.map((value) => JSON.stringify(value)).join(' | ');
  const variants = node.anyOf ?? node.oneOf;
  if (variants) return [...new Set(variants.map(shapeOf))].join(' or ');
  if (node.type === 'array') return `list of ${node.items ? shapeOf(node.items) : 'values'}`;
  if (node.type === 'object') {
    return typeof node.additionalProperties === 'object' && !node.properties ? 'map' : 'object';
  }
  if (node.type === 'string' && node.pattern?.includes('(ms|s|m|h|d|w)')) return 'duration';
  return Array.isArray(node.type) ? node.type.join(' or ') : (node.type ?? 'any');
}

function defaultOf(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'object' && value !== null && Object.keys(value).length === 0) return '';
  const text = JSON.stringify(value);
  return `\`${text.length > 60 ? `${text.slice(0, 57)}…` : text}\``;
}
