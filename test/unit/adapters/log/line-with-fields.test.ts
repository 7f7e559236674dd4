import { InvocationContext } from '@azure/functions';
import { describe, expect, it, vi } from 'vitest';
import { consoleLogger } from '../../../../shared/adapters/log/console-logger';
import { loggerFor } from '../../../../shared/adapters/log/context-logger';
import { lineWithFields } from '../../../../shared/adapters/log/one-line';

describe('lineWithFields', () => {
  it('appends the fields as name=value in the order given, leaving out unset ones', () => {
    expect(
      lineWithFields('queued 2 action(s)', { correlationId: 'e1', dedupeKey: 'abc', region: undefined }),
    ).toBe('queued 2 action(s) correlationId=e1 dedupeKey=abc');
    expect(lineWithFields('no fields')).toBe('no fields');
  });

  it('quotes a value with a space, quote or equals sign, and keeps the whole line on one line', () => {
    const line = lineWithFields('ignored', { correlationId: 'a b', dedupeKey: 'k="x"\nFAKE LINE' });
    expect(line).toBe('ignored correlationId="a b" dedupeKey="k=\\"x\\"\\\\nFAKE LINE"');
    expect(line).not.toContain('\n');
  });

  it('is what the invocation and console loggers write', () => {
    const lines: string[] = [];
    const context = new InvocationContext({
      invocationId: 'i',
      functionName: 'f',
      logHandler: (level, ...args) => void lines.push(`${level} ${args.join(' ')}`),
    });
    loggerFor(context).warn('retrying', { correlationId: 'e1', dedupeKey: 'k1' });
    expect(lines).toEqual(['warning retrying correlationId=e1 dedupeKey=k1']);
    const info = vi.spyOn(console, 'info').mockImplementation(() => {});
    consoleLogger.info('fanned out', { dedupeKey: 'k1' });
    expect(info).toHaveBeenCalledWith('fanned out dedupeKey=k1');
    info.mockRestore();
  });
});
