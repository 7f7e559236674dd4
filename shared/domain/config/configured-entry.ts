import { ConfigError } from '../errors';

/**
 * The entry a queued message names (`gitops.<repo>`, `deployTargets.<target>`), or a ConfigError that
 * lists what is defined and says where to fix it. A message can outlive the config it was planned
 * with: the rule that named the entry may have been edited since.
 */
export function configuredEntry<T>(
  entries: Readonly<Record<string, T>>,
  key: string,
  where: { kind: string; section: string; rule: { index: number; name?: string | undefined }; field: string },
): T {
  const entry = Object.hasOwn(entries, key) ? entries[key] : undefined;
  if (entry !== undefined) return entry;
  const defined = Object.keys(entries);
  const rule = where.rule.name ? `rule "${where.rule.name}"` : `rules[${where.rule.index}]`;
  throw new ConfigError(
    `${where.kind} "${key}" is not configured (${defined.length ? `defined: ${defined.join(', ')}` : `no ${where.kind} is defined`}); ` +
      `add ${where.section}.${key} to the config, or change ${rule}.${where.field}`,
  );
}
