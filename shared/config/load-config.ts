import { readFile } from 'node:fs/promises';
import { isMap, isPair, isScalar, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { ConfigError, formatIssues, type Issue } from '../domain/errors';
import { sourceFilterFor } from '../domain/events/event-sources';
import { formatPath } from '../domain/zod-issues';
import { insecureUrls, invalidSettings } from './check-settings';
import { configSchema, emptyConfig, type Config } from '../domain/config/schema';

export interface LoadedConfig {
  config: Config;
  /** Where it came from; undefined when running without a file. */
  path: string | undefined;
  /** App settings the file names that are not set: the actions using them will fail until they are. */
  warnings: Issue[];
  /** App settings the file names that are set but unusable (see check-settings.ts). */
  settingProblems: Issue[];
}

/**
 * Parses and validates autopilot.yaml text. Every problem is reported at once, each with its YAML path
 * and line: `rules[2].match.tag: invalid regex "v(": unterminated group (line 14)`.
 */
export function parseConfig(text: string, source = 'autopilot.yaml'): Config {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const lineOf = (offset: number | undefined) =>
    offset === undefined ? undefined : lineCounter.linePos(offset).line;

  if (doc.errors.length > 0) {
    const issues = doc.errors.map((error) => {
      const line = lineOf(error.pos[0]);
      return { path: '', message: `YAML: ${error.message.split('\n')[0]}`, ...(line ? { line } : {}) };
    });
    throw configError(source, issues);
  }
  const parsed = configSchema.safeParse(doc.toJS() ?? {});
  if (!parsed.success) throw configError(source, issuesWithLines(parsed.error, doc, lineOf));
  return parsed.data;
}

/** Reads the file at `path`. `optional` turns a missing file into the empty config (local development). */
export async function loadConfig(
  path: string,
  env: Readonly<Record<string, string | undefined>>,
  options: { optional?: boolean } = {},
): Promise<LoadedConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && options.optional) {
      return {
        config: emptyConfig,
        path: undefined,
        warnings: [
          {
            path: '',
            message: `no config file at ${path}: running with no rules (copy autopilot.example.yaml to autopilot.yaml, or point the app setting AUTOPILOT_CONFIG at your file)`,
          },
        ],
        settingProblems: [],
      };
    }
    throw new ConfigError(
      `cannot read the config file ${path} (${(error as Error).message}); set the app setting AUTOPILOT_CONFIG to the path of your autopilot.yaml`,
    );
  }
  const config = parseConfig(text, path);
  return {
    config,
    path,
    warnings: [...missingSettings(config, env), ...openIngress(config), ...insecureUrls(config, env)],
    settingProblems: invalidSettings(config, env),
  };
}

/**
 * Rules without a registry list: the topic allow-list is open, so any Event Grid subscription that can
 * reach the endpoint can inject pushes.
 */
export function openIngress(config: Config): Issue[] {
  if (config.rules.length === 0 || sourceFilterFor(config) !== undefined) return [];
  return [
    {
      path: 'ingress.registries',
      message:
        'no registry is named, so Event Grid events from any topic are accepted; list your registries (login server or resource id)',
    },
  ];
}

/** Each `*From` field whose app setting is not set, with the path that names it. */
export function missingSettings(config: Config, env: Readonly<Record<string, string | undefined>>): Issue[] {
  const issues: Issue[] = [];
  const visit = (value: unknown, path: PropertyKey[]) => {
    if (Array.isArray(value)) value.forEach((item, index) => visit(item, [...path, index]));
    else if (value && typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) {
        if (key.endsWith('From') && typeof child === 'string') {
          if (!env[child]) {
            issues.push({ path: formatPath([...path, key]), message: `app setting ${child} is not set` });
          }
        } else visit(child, [...path, key]);
      }
    }
  };
  visit(config, []);
  return issues;
}

function configError(source: string, issues: Issue[]): ConfigError {
  const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
  return new ConfigError(`${source} has ${count}:\n${indent(formatIssues(issues))}`, issues);
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}

function issuesWithLines(
  error: z.ZodError,
  doc: Document,
  lineOf: (offset: number | undefined) => number | undefined,
): Issue[] {
  const issues: Issue[] = [];
  for (const issue of error.issues) {
    const keys = issue.code === 'unrecognized_keys' ? issue.keys : [undefined];
    for (const key of keys) {
      const path = key === undefined ? issue.path : [...issue.path, key];
      const message = key === undefined ? issue.message : `unknown key "${key}"`;
      const line = lineOf(offsetOf(doc, path));
      issues.push({ path: formatPath(path), message, ...(line ? { line } : {}) });
    }
  }
  return issues;
}

/** Start offset of the deepest node that exists along `path` (a missing key points at its parent). */
function offsetOf(doc: Document, path: readonly PropertyKey[]): number | undefined {
  let node: unknown = doc.contents;
  let offset = (doc.contents as Node | null)?.range?.[0];
  for (const key of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && item.key.value === key);
      if (!pair) break;
      offset = (pair.key as Node).range?.[0] ?? offset;
      node = pair.value;
      continue;
    }
    const items = (node as { items?: unknown[] } | null)?.items;
    if (Array.isArray(items) && typeof key === 'number' && items[key] !== undefined) {
      node = items[key];
      offset = (node as Node).range?.[0] ?? offset;
      continue;
    }
    break;
  }
  if (node && (node as Node).range && path.length > 0) {
    const valueOffset = (node as Node).range?.[0];
    if (isScalar(node) && valueOffset !== undefined) offset = valueOffset;
  }
  return offset;
}
