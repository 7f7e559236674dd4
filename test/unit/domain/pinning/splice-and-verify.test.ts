import { describe, expect, it } from 'vitest';
import { spliceAndVerify } from '../../../../shared/domain/pinning/splice-and-verify';
import type { Splice } from '../../../../shared/domain/pinning/yaml-source';

const src = 'a: old # c\r\nb: [x, y]\r\n';
const at = (text: string, value: string, start = 3, end = 6, valueOffset = 0): Splice => ({
  start,
  end,
  text,
  value,
  valueOffset,
});

describe('spliceAndVerify', () => {
  it('splices and reports changed lines, one per line', () => {
    const result = spliceAndVerify('f.yaml', src, 1, [at('new', 'new'), at('z', 'z', 19, 20)]);
    expect(result).toEqual({
      content: 'a: new # c\r\nb: [x, z]\r\n',
      changes: [
        { file: 'f.yaml', line: 1, before: 'a: old # c', after: 'a: new # c' },
        { file: 'f.yaml', line: 2, before: 'b: [x, y]', after: 'b: [x, z]' },
      ],
    });
  });

  it('reports an inserted line with an empty before', () => {
    const result = spliceAndVerify('f.yaml', src, 1, [at('\r\nd: v', 'v', 10, 10, 5)]);
    expect(result).toMatchObject({
      content: 'a: old # c\r\nd: v\r\nb: [x, y]\r\n',
      changes: [{ line: 2, before: '', after: 'd: v' }],
    });
  });

  it.each([
    ['two tokens', at('new value: x', 'new')],
    ['a value that reads differently', at('"a\\x41"', 'aA')],
    ['a broken flow sequence', at('z]', 'z', 19, 20)],
    ['overlapping edits', at('n', 'n', 3, 6)],
  ])('refuses %s and leaves the file alone', (_name, bad) => {
    const edits = _name === 'overlapping edits' ? [bad, at('m', 'm', 4, 5)] : [bad];
    const result = spliceAndVerify('f.yaml', src, 1, edits);
    expect(result).toHaveProperty('problem');
  });

  it('re-parses the file when a key is added, and refuses a broken indentation', () => {
    const result = spliceAndVerify('f.yaml', 'm:\n  a: 1\n', 1, [at('\n digest: x', 'x', 9, 9, 10)]);
    expect(result).toHaveProperty('problem');
  });
});
