import { describe, expect, it, vi } from 'vitest';
import { oneLine } from '../../../../shared/adapters/log/one-line';
import { consoleLogger } from '../../../../shared/adapters/log/console-logger';
import { loggerFor } from '../../../../shared/adapters/log/context-logger';
import { InvocationContext } from '@azure/functions';

const controls = [
  ...Array.from({ length: 0x20 }, (_, code) => String.fromCharCode(code)),
  '\u007f',
  ...Array.from({ length: 0x20 }, (_, code) => String.fromCharCode(0x80 + code)),
  '\u2028',
  '\u2029',
];

describe('oneLine', () => {
  it.each(controls.map((char) => [char.charCodeAt(0).toString(16).padStart(4, '0'), char]))(
    'escapes U+%s so it cannot break or colour a log line',
    (_code, char) => {
      const line = oneLine(`repository payments/api${char}FAKE LOG LINE`);
      expect(line).not.toContain(char);
      expect(line).toMatch(/^repository payments\/api\\(n|r|t|u[0-9a-f]{4})FAKE LOG LINE$/);
    },
  );

  it('leaves printable text, quotes and non-ASCII alone', () => {
    const text = 'pinned "payments/api:1.4.2" → sha256:ab … ✓ café';
    expect(oneLine(text)).toBe(text);
  });

  it('writes the common ones readably', () => {
    expect(oneLine('a\nb\r\tc\u0000\u001b[31m')).toBe('a\\nb\\r\\tc\\u0000\\u001b[31m');
  });
});

describe('loggers', () => {
  it('the invocation logger and the console logger write one line per message', () => {
    const seen: string[] = [];
    const context = new InvocationContext({
      logHandler: (_level, ...args) => void seen.push(args.join(' ')),
    });
    loggerFor(context).warn('id evt\u0000\u001b[31m\nFAKE LOG LINE');
    const spy = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    consoleLogger.error('x\ny');
    seen.push(String(spy.mock.calls[0]?.[0]));
    spy.mockRestore();
    expect(seen).toEqual(['id evt\\u0000\\u001b[31m\\nFAKE LOG LINE', 'x\\ny']);
  });
});
