import picomatch from 'picomatch';
import type { RetentionPolicy } from '../config/retention-schema';
import { compileTagMatcher, type TagPredicate } from '../rules/tag-matcher';

/**
 * What the policies that match one repository say, merged. Keep wins across policies (issue 11 §1):
 * a tag is kept when any clause of any matching policy holds, so the merge keeps the largest `newest`,
 * the longest `youngerThan` and every tag pattern; untagged manifests are deleted only when every
 * matching policy deletes them, after the longest `olderThan`.
 */
export interface RepositoryRules {
  /** Indexes of the matching policies in `retention.policies`. */
  policies: number[];
  newest?: number;
  /** Milliseconds. */
  youngerThan?: number;
  /**
   * The first keep pattern (as written in the config) that matches the tag, or undefined. Compiled
   * once per plan and memoized per tag name: repositories share tag names (`latest`, `v1.2.3`).
   */
  keptBy: (tag: string) => string | undefined;
  hasTagPatterns: boolean;
  /** Milliseconds; undefined: untagged manifests are kept. */
  untaggedOlderThan?: number;
  protectPinned: boolean;
}

/**
 * Compiles the policies for one registry, once per plan: `rulesFor(repository)` is then a few glob
 * tests, and repositories matched by the same policies share one `RepositoryRules` (and its memo).
 */
export function compileRepositoryRules(
  policies: readonly RetentionPolicy[],
  registry: string,
): (repository: string) => RepositoryRules | undefined {
  const applicable = policies.flatMap((policy, index) =>
    policy.registries === undefined || policy.registries.includes(registry)
      ? [{ index, policy, matches: picomatch(policy.repositories, { dot: true }) }]
      : [],
  );
  const merged = new Map<string, RepositoryRules>();
  return (repository) => {
    const matching = applicable.filter((entry) => entry.matches(repository));
    if (matching.length === 0) return undefined;
    const key = matching.map((entry) => entry.index).join(',');
    let rules = merged.get(key);
    if (!rules) {
      rules = mergePolicies(matching.map((entry) => [entry.index, entry.policy] as const));
      merged.set(key, rules);
    }
    return rules;
  };
}

function mergePolicies(matching: readonly (readonly [number, RetentionPolicy])[]): RepositoryRules {
  const policies = matching.map(([index]) => index);
  const chosen = matching.map(([, policy]) => policy);
  const newest = maxOf(chosen.map((policy) => policy.keep.newest));
  const youngerThan = maxOf(chosen.map((policy) => policy.keep.youngerThan));
  const untaggedOlderThan = chosen.every((policy) => policy.untagged)
    ? maxOf(chosen.map((policy) => policy.untagged?.olderThan))
    : undefined;
  const patterns = [...new Set(chosen.flatMap((policy) => policy.keep.tags))].map((text) => ({
    text,
    test: compileFast(text),
  }));
  const memo = new Map<string, string | null>();
  const keptBy = (tag: string): string | undefined => {
    let found = memo.get(tag);
    if (found === undefined) {
      found = patterns.find((pattern) => pattern.test(tag))?.text ?? null;
      memo.set(tag, found);
    }
    return found ?? undefined;
  };
  return {
    policies,
    ...(newest === undefined ? {} : { newest }),
    ...(youngerThan === undefined ? {} : { youngerThan }),
    keptBy,
    hasTagPatterns: patterns.length > 0,
    ...(untaggedOlderThan === undefined ? {} : { untaggedOlderThan }),
    protectPinned: chosen.some((policy) => policy.protectPinned),
  };
}

/**
 * A version loosely valid for semver starts like `v1.2.3`; testing that first spares the semver
 * parser, which throws (slowly) on each of the many tags that are not versions (`build-1234`).
 */
const looseVersionStart = /^[v=\s]*\d+\.\d+\.\d+/;

function compileFast(text: string): TagPredicate {
  const test = compileTagMatcher(text);
  if (!text.startsWith('semver:')) return test;
  return (tag) => tag !== undefined && looseVersionStart.test(tag) && test(tag);
}

function maxOf(values: readonly (number | undefined)[]): number | undefined {
  let max: number | undefined;
  for (const value of values) if (value !== undefined && (max === undefined || value > max)) max = value;
  return max;
}
