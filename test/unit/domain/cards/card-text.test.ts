import { describe, expect, it } from 'vitest';
import {
  clip,
  describeMediaType,
  escapeMarkdown,
  firstSentence,
  formatUtc,
  safeLink,
} from '../../../../shared/domain/cards/card-text';

describe('escapeMarkdown', () => {
  it.each([
    ['payments/api', 'payments/api'],
    ['1.14.2', '1.14.2'],
    ['sha256:0123abcd', 'sha256:0123abcd'],
    ['my_service_v2', 'my_service_v2'],
    ['_private', '\\_private'],
    ['build_', 'build\\_'],
    ['a _b_ c', 'a \\_b\\_ c'],
    ['**bold** and *it*', '\\*\\*bold\\*\\* and \\*it\\*'],
    ['[click](https://evil.example)', '\\[click\\](https://evil.example)'],
    ['<at>everyone</at>', '\\<at\\>everyone\\</at\\>'],
    ['`code` ~strike~', '\\`code\\` \\~strike\\~'],
    ['C:\\path', 'C:\\\\path'],
    ['- item', '\\- item'],
    ['+ item', '\\+ item'],
    ['1. first', '\\1. first'],
    ['# heading', '\\# heading'],
    ['line\n- second', 'line\n\\- second'],
    ['-rc1', '-rc1'],
    ['1.0.0', '1.0.0'],
  ])('%j → %j', (input, expected) => {
    expect(escapeMarkdown(input)).toBe(expected);
  });
});

describe('clip', () => {
  it('keeps short text and cuts long text with an ellipsis', () => {
    expect(clip('abc', 3)).toBe('abc');
    expect(clip('abcdef', 4)).toBe('abc…');
  });

  it('never splits a surrogate pair', () => {
    expect(clip('🙂🙂🙂', 2)).toBe('🙂…');
  });
});

describe('firstSentence', () => {
  it.each([
    ['Push rejected. Try again later.', 'Push rejected.'],
    ['could not resolve myreg.azurecr.io: ENOTFOUND', 'could not resolve myreg.azurecr.io: ENOTFOUND'],
    ['tag v1.2.3 is invalid!\nstack', 'tag v1.2.3 is invalid!'],
    ['  spaced\n\n out  ', 'spaced out'],
    ['', ''],
  ])('%j → %j', (input, expected) => {
    expect(firstSentence(input)).toBe(expected);
  });

  it('clips a sentence that never ends', () => {
    expect(firstSentence('x'.repeat(1000), 50)).toHaveLength(50);
  });
});

describe('formatUtc', () => {
  it('formats ISO times in UTC to the second', () => {
    expect(formatUtc('2025-11-24T10:41:07.512+01:00')).toBe('2025-11-24 09:41:07 UTC');
  });

  it('returns text that is not a date unchanged', () => {
    expect(formatUtc('yesterday')).toBe('yesterday');
  });
});

describe('safeLink', () => {
  it.each([
    ['https://github.com/o/r/pull/1', 'https://github.com/o/r/pull/1'],
    ['http://argocd.internal/applications/web', 'http://argocd.internal/applications/web'],
    ['javascript:alert(1)', undefined],
    ['/relative/path', undefined],
    ['not a url', undefined],
    [undefined, undefined],
    [`https://example.com/${'a'.repeat(3000)}`, undefined],
  ])('%j → %j', (input, expected) => {
    expect(safeLink(input)).toBe(expected);
  });
});

describe('describeMediaType', () => {
  it('names known manifest types and keeps the raw type', () => {
    expect(describeMediaType('application/vnd.docker.distribution.manifest.v2+json')).toBe(
      'Docker image manifest · application/vnd.docker.distribution.manifest.v2+json',
    );
    expect(describeMediaType('application/x-custom')).toBe('application/x-custom');
  });
});
