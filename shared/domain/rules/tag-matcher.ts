import picomatch from 'picomatch';
import semver from 'semver';

/**
 * A tag matcher as written in the config: `semver:<range>`, `re:<regex>` or a glob (`v1.*`, `*`).
 * Returned as a description of what is wrong, or undefined when it is usable.
 */
export function tagMatcherProblem(text: string): string | undefined {
  if (text.startsWith('semver:')) {
    const range = text.slice('semver:'.length).trim();
    return semver.validRange(range) === null ? `invalid semver range "${range}"` : undefined;
  }
  if (text.startsWith('re:')) {
    const source = text.slice('re:'.length);
    try {
      new RegExp(source);
      return undefined;
    } catch (error) {
      return `invalid regex "${source}": ${regexReason(error)}`;
    }
  }
  if (text.trim() === '') return 'empty pattern; use "*" for any tag';
  try {
    picomatch(text);
    return undefined;
  } catch (error) {
    return `invalid glob "${text}": ${(error as Error).message}`;
  }
}

/** `Invalid regular expression: /v(/: Unterminated group` → `unterminated group`. */
function regexReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const reason = message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '');
  return reason.charAt(0).toLowerCase() + reason.slice(1);
}

/** A compiled matcher; `undefined` tag (digest-only push, delete) never matches a pattern. */
export type TagPredicate = (tag: string | undefined) => boolean;

/** Compiles a matcher that `tagMatcherProblem` accepted. */
export function compileTagMatcher(text: string): TagPredicate {
  if (text.startsWith('semver:')) {
    const range = text.slice('semver:'.length).trim();
    return (tag) => {
      const version = tag === undefined ? null : semver.valid(tag, { loose: true });
      return version !== null && semver.satisfies(version, range);
    };
  }
  if (text.startsWith('re:')) {
    // Unanchored, like RegExp.test: write ^…$ to match the whole tag.
    const regex = new RegExp(text.slice('re:'.length));
    return (tag) => tag !== undefined && regex.test(tag);
  }
  const glob = picomatch(text, { dot: true });
  return (tag) => tag !== undefined && glob(tag);
}
