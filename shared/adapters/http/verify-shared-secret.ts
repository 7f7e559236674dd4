import { createHash, timingSafeEqual } from 'node:crypto';
import { UnauthorizedError } from '../../domain/errors';

/**
 * ACR cannot sign webhooks; the only protection is a custom header whose value both sides know.
 * Compared in constant time over SHA-256 digests (equal length, so the length leaks nothing either).
 * Several accepted values let the secret rotate without dropping deliveries.
 */
export function verifySharedSecret(
  received: string | null,
  accepted: readonly string[],
  header: string,
): void {
  const fix = `set the same value with az acr webhook update --headers "${header}=<value>" and in the app setting ACR_WEBHOOK_SECRET`;
  if (accepted.length === 0) {
    throw new UnauthorizedError(`no webhook secret is configured on this app; ${fix}`);
  }
  if (received === null || received === '') {
    throw new UnauthorizedError(`missing ${header} header for the ACR webhook; ${fix}`);
  }
  const digest = sha256(received);
  let match = false;
  for (const value of acceptedDigests(accepted)) match = timingSafeEqual(digest, value) || match;
  if (!match) throw new UnauthorizedError(`wrong ${header} header for the ACR webhook; ${fix}`);
}

/**
 * The accepted values' digests, computed once per settings' list rather than on every delivery (and
 * again should the list change in place).
 */
const digestsOf = new WeakMap<readonly string[], { values: string[]; digests: Buffer[] }>();
function acceptedDigests(accepted: readonly string[]): readonly Buffer[] {
  let cached = digestsOf.get(accepted);
  if (
    !cached ||
    cached.values.length !== accepted.length ||
    cached.values.some((v, i) => v !== accepted[i])
  ) {
    cached = { values: [...accepted], digests: accepted.map(sha256) };
    digestsOf.set(accepted, cached);
  }
  return cached.digests;
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
