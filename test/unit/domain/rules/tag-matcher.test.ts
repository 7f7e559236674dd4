import { describe, expect, it } from 'vitest';
import { compileTagMatcher, tagMatcherProblem } from '../../../../shared/domain/rules/tag-matcher';

describe('compileTagMatcher', () => {
  it.each([
    ['semver:>=1.0.0', '1.4.2', true],
    ['semver:>=1.0.0', 'v1.4.2', true],
    ['semver:>=1.0.0', '0.9.0', false],
    ['semver:>=1.0.0', '1.5.0-rc.1', false],
    ['semver:^2', '2.3.4', true],
    ['semver:^2', 'latest', false],
    ['re:^v\\d+$', 'v12', true],
    ['re:^v\\d+$', 'v12-debug', false],
    ['re:-debug', 'v12-debug', true],
    ['v1.*', 'v1.2', true],
    ['v1.*', 'v2.0', false],
    ['*', 'anything', true],
    ['{main,release}-*', 'release-42', true],
  ])('%s matches %s: %s', (pattern, tag, expected) => {
    expect(compileTagMatcher(pattern)(tag)).toBe(expected);
  });

  it.each(['semver:*', 're:.*', '*'])('never matches a missing tag (%s)', (pattern) => {
    expect(compileTagMatcher(pattern)(undefined)).toBe(false);
  });
});

describe('tagMatcherProblem', () => {
  it.each([
    ['re:v(', 'invalid regex "v(": unterminated group'],
    ['semver:>=banana', 'invalid semver range ">=banana"'],
    ['', 'empty pattern; use "*" for any tag'],
  ])('%j → %s', (pattern, problem) => {
    expect(tagMatcherProblem(pattern)).toBe(problem);
  });

  it.each(['re:^v\\d+$', 'semver:>=1.0.0 <2', 'v1.*'])('accepts %s', (pattern) => {
    expect(tagMatcherProblem(pattern)).toBeUndefined();
  });
});
