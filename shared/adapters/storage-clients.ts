import { TableClient } from '@azure/data-tables';
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity';
import { QueueServiceClient } from '@azure/storage-queue';
import type { StorageSettings } from '../config/app-settings';
import { once } from './load-once';

/**
 * Builds Azure Storage clients from the Functions-style storage setting: a connection string
 * (Azurite locally) or identity-based service URIs (`AzureWebJobsStorage__queueServiceUri` with a
 * user-assigned identity in Azure, as infra/ deploys it).
 */
/**
 * ACR gives a webhook 5 s and Event Grid 30 s: fail fast (and answer 503) rather than spend the budget
 * in the SDK's default back-off of up to a minute.
 */
const queueRetry = {
  retryOptions: { maxTries: 3, retryDelayInMs: 100, maxRetryDelayInMs: 400, tryTimeoutInMs: 1500 },
};
const tableRetry = { retryOptions: { maxRetries: 2, retryDelayInMs: 100, maxRetryDelayInMs: 400 } };

export function createQueueServiceClient(storage: StorageSettings): QueueServiceClient {
  if (storage.kind === 'connection-string') {
    return QueueServiceClient.fromConnectionString(storage.connectionString, queueRetry);
  }
  return new QueueServiceClient(storage.queueServiceUri, credentialFor(storage), queueRetry);
}

export function createTableClient(storage: StorageSettings, table: string): TableClient {
  if (storage.kind === 'connection-string') {
    // Azurite speaks plain http on loopback; the SDK refuses that unless told.
    return TableClient.fromConnectionString(storage.connectionString, table, {
      ...tableRetry,
      allowInsecureConnection: /DefaultEndpointsProtocol=http;|Endpoint=http:\/\//i.test(
        storage.connectionString,
      ),
    });
  }
  return new TableClient(storage.tableServiceUri, table, credentialFor(storage), tableRetry);
}

/**
 * The app identity, with @azure/identity (about 40 ms of imports) loaded at the first token request
 * rather than at cold start: with a connection string (Azurite) it is never loaded at all.
 */
function credentialFor(storage: Extract<StorageSettings, { kind: 'identity' }>): TokenCredential {
  const credential = once(async (): Promise<TokenCredential> => {
    const { DefaultAzureCredential, ManagedIdentityCredential } = await import('@azure/identity');
    return storage.clientId
      ? new ManagedIdentityCredential({ clientId: storage.clientId })
      : new DefaultAzureCredential();
  });
  return {
    getToken: async (scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> =>
      (await credential()).getToken(scopes, options),
  };
}
