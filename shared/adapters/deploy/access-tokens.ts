import type { TokenCredential } from '@azure/identity';
import { ConfigError, UpstreamError } from '../../domain/errors';

/** Entra access tokens for Azure APIs (Resource Manager, Azure DevOps). */
export interface AccessTokens {
  /**
   * A token for `scope` (`<resource>/.default`) from the user-assigned managed identity `clientId`, or
   * from DefaultAzureCredential (managed identity in Azure, `az login` locally) when none is given.
   * @throws ConfigError when no credential is available at all, UpstreamError when Entra failed.
   */
  token(scope: string, clientId?: string): Promise<string>;
}

/**
 * Tokens from `@azure/identity`, loaded on first use (a worker without Entra-authenticated targets
 * never pays for it). One credential per client id, kept for the worker's life: the credential caches
 * and refreshes its tokens. Token requests go to IMDS and Entra through identity's own pipeline, not
 * the outbound client: IMDS is plain http on a link-local address, which the allow-list rightly refuses.
 */
export function createAzureAccessTokens(): AccessTokens {
  const credentials = new Map<string, Promise<TokenCredential>>();
  const credentialFor = (clientId: string | undefined) => {
    const key = clientId ?? '';
    let credential = credentials.get(key);
    if (!credential) {
      credential = import('@azure/identity').then(({ DefaultAzureCredential, ManagedIdentityCredential }) =>
        clientId ? new ManagedIdentityCredential({ clientId }) : new DefaultAzureCredential(),
      );
      credentials.set(key, credential);
      credential.catch(() => credentials.delete(key));
    }
    return credential;
  };

  return {
    async token(scope, clientId) {
      const identity = clientId ? `managed identity ${clientId}` : 'DefaultAzureCredential';
      try {
        const token = await (await credentialFor(clientId)).getToken(scope);
        if (!token) throw new Error('no token was returned');
        return token.token;
      } catch (error) {
        const name = error instanceof Error ? error.name : '';
        const message = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
        if (name === 'CredentialUnavailableError') {
          throw new ConfigError(
            `no Azure credential for ${scope} (${identity}): ${message}; in Azure give the Function App a ` +
              'managed identity (user-assigned: set clientId on the target or the app setting AZURE_CLIENT_ID), ' +
              'locally run az login',
          );
        }
        throw new UpstreamError(`could not get a token for ${scope} (${identity}): ${message}`, error);
      }
    },
  };
}
