import { describe, expect, it } from 'vitest';
import { verifySharedSecret } from '../../../../shared/adapters/http/verify-shared-secret';
import { UnauthorizedError } from '../../../../shared/domain/errors';

const secret = 'Bearer s3cr3t-value';

describe('verifySharedSecret', () => {
  it.each([
    ['the current secret', secret, [secret, 'Bearer old']],
    ['the secondary secret during rotation', 'Bearer old', [secret, 'Bearer old']],
  ])('accepts %s', (_name, received, accepted) => {
    expect(() => verifySharedSecret(received, accepted, 'Authorization')).not.toThrow();
  });

  it.each([
    ['a missing header', null, /missing Authorization header/],
    ['an empty header', '', /missing Authorization header/],
    ['a wrong value', 'Bearer guess', /wrong Authorization header/],
    ['a prefix of the secret', 'Bearer s3cr3t', /wrong Authorization header/],
    ['the secret with extra bytes', `${secret} `, /wrong Authorization header/],
  ])('rejects %s and says how to fix it', (_name, received, message) => {
    let error: unknown;
    try {
      verifySharedSecret(received, [secret], 'Authorization');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UnauthorizedError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).toContain('az acr webhook update --headers');
    expect((error as Error).message).toContain('ACR_WEBHOOK_SECRET');
    expect((error as Error).message).not.toContain('s3cr3t');
  });

  it('refuses everything when no secret is configured', () => {
    expect(() => verifySharedSecret('anything', [], 'X-Hook-Token')).toThrow(
      /no webhook secret is configured/,
    );
  });
});
