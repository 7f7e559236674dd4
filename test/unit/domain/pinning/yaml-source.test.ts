import { describe, expect, it } from 'vitest';
import { isScalar, parseDocument, type Scalar } from 'yaml';
import { findMarkers } from '../../../../shared/domain/pinning/markers';
import { LineIndex, replaceScalar, scalarText } from '../../../../shared/domain/pinning/yaml-source';

function valueOf(src: string): Scalar {
  const doc = parseDocument(src);
  const node = doc.get('v', true);
  if (!isScalar(node)) throw new Error('no scalar v');
  return node;
}

function splice(src: string, value: string): string {
  const edit = replaceScalar(valueOf(src), value, src);
  if (typeof edit === 'string') return edit;
  return src.slice(0, edit.start) + edit.text + src.slice(edit.end);
}

describe('replaceScalar', () => {
  it.each([
    ['v: abc # c\n', 'v: x:1 # c\n'],
    ['v: "abc"\n', 'v: "x:1"\n'],
    ["v: 'abc'\n", "v: 'x:1'\n"],
    ['{v: abc, w: 1}\n', '{v: x:1, w: 1}\n'],
    ['v:\n', 'v: x:1\n'],
    ['v: # c\n', 'v: x:1 # c\n'],
    ['v:    \n', 'v:    x:1\n'],
    ['v: ""\n', 'v: "x:1"\n'],
  ])('%j → %j', (src, expected) => {
    expect(splice(src, 'x:1')).toBe(expected);
  });

  it('quotes a plain string value that would otherwise read as a number or boolean', () => {
    expect(splice('v: abc\n', '1.5')).toBe('v: "1.5"\n');
    expect(splice('v: abc\n', 'yes')).toBe('v: "yes"\n');
    expect(splice('v: 1.4\n', '1.5')).toBe('v: 1.5\n');
  });

  it('refuses block scalars, multi-line values and unsafe text', () => {
    expect(splice('v: |\n  abc\n', 'x')).toContain('block scalar');
    expect(splice('v: abc\n  def\n', 'x')).toContain('several lines');
    expect(splice('v: abc\n', 'a b')).toContain('safely');
    expect(splice('v: abc\n', '"x')).toContain('safely');
  });
});

describe('scalarText', () => {
  it('reads plain scalars as written and quoted ones by value', () => {
    expect(scalarText(valueOf('v: 1.10\n'), 'v: 1.10\n')).toEqual({ text: '1.10' });
    expect(scalarText(valueOf('v: "a\\x41"\n'), 'v: "a\\x41"\n')).toEqual({ text: 'aA' });
    expect(scalarText(valueOf('v: true\n'), 'v: true\n')).toBeUndefined();
    expect(scalarText(valueOf('v:\n'), 'v:\n')).toBeUndefined();
  });
});

describe('LineIndex', () => {
  const text = '\uFEFFa\r\nbb\n\nlast';
  const lines = new LineIndex(text);

  it('maps offsets to 1-based lines', () => {
    expect([0, 1, 2, 4, 7, 8, 11].map((offset) => lines.lineOf(offset))).toEqual([1, 1, 1, 2, 3, 4, 4]);
  });

  it('gives line text without breaks or BOM', () => {
    expect([1, 2, 3, 4].map((line) => lines.textOf(line))).toEqual(['a', 'bb', '', 'last']);
  });
});

describe('findMarkers', () => {
  it('finds marker comments by token, not by text', () => {
    const src = [
      'a: x # acr-autopilot: {"image": "myreg.azurecr.io/app"}',
      'b: "# acr-autopilot: {\\"image\\": \\"myreg.azurecr.io/app\\"}"',
      'c: |',
      '  # acr-autopilot: {"image": "myreg.azurecr.io/app"}',
      'd: y #acr-autopilot:{"image":"myreg.azurecr.io/app:1","field":"digest"}',
      '# acr-autopilot is mentioned in prose here',
      '',
    ].join('\n');
    const found = findMarkers(src);
    expect(found.map((marker) => marker.offset)).toEqual([src.indexOf('# acr'), src.indexOf('#acr')]);
    expect(found[1]).toMatchObject({ marker: { field: 'digest', image: { tag: '1', repository: 'app' } } });
  });
});
