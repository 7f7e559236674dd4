import { describe, expect, it } from 'vitest';
import { parseTraceRef } from '../../../../shared/domain/trace/trace-lookup';

const digest = 'sha256:4f1a8c0e3b2d5f6a7c8e9d0b1a2c3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d';

describe('parseTraceRef', () => {
  it.each([
    [
      '0123456789abcdef0123456789abcdef',
      { kind: 'dedupe-key', dedupeKey: '0123456789abcdef0123456789abcdef' },
    ],
    [digest, { kind: 'digest', digest }],
    ['payments/api:1.4.2', { kind: 'tag', repository: 'payments/api', tag: '1.4.2' }],
    ['api:latest', { kind: 'tag', repository: 'api', tag: 'latest' }],
    [
      'Contoso.azurecr.io/payments/api:1.4.2',
      { kind: 'tag', registry: 'contoso.azurecr.io', repository: 'payments/api', tag: '1.4.2' },
    ],
    [
      'localhost:5000/payments/api:1.4.2',
      { kind: 'tag', registry: 'localhost:5000', repository: 'payments/api', tag: '1.4.2' },
    ],
    [`payments/api@${digest}`, { kind: 'digest', digest, repository: 'payments/api' }],
    [
      `contoso.azurecr.io/payments/api:1.4.2@${digest}`,
      { kind: 'digest', digest, registry: 'contoso.azurecr.io', repository: 'payments/api' },
    ],
  ])('%s', (ref, lookup) => {
    expect(parseTraceRef(ref)).toEqual(lookup);
  });

  it.each([['payments/api'], ['localhost:5000/payments/api'], ['payments/api:'], ['x@sha256:12']])(
    'says what to give instead of %s',
    (ref) => {
      expect(parseTraceRef(ref)).toMatch(/names no push|is not a digest/);
    },
  );
});
