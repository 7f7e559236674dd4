import { readAppSettings, storageSetting, type StorageSettings } from '../config/app-settings';
import { UsageError, type CliIo } from './cli-io';

/**
 * The app's storage account for a CLI command, from the same settings the app reads (the environment,
 * then local.settings.json). Identity-based settings use the person's own sign-in, not the app's
 * user-assigned identity (`__clientId`), which exists only inside Azure. A usage error when unset;
 * `purpose` says what the command reads there.
 */
export function cliStorage(io: CliIo, purpose?: string): StorageSettings {
  const storage = readAppSettings(io.env).storage;
  if (!storage) {
    throw new UsageError(
      `${storageSetting} is not set: ${purpose ? `${purpose}; ` : ''}set ${storageSetting} (a connection ` +
        `string; UseDevelopmentStorage=true for Azurite) or ${storageSetting}__accountName (then your own ` +
        'sign-in is used, e.g. az login), in the environment or in local.settings.json',
    );
  }
  return asOperator(storage);
}

/**
 * The same storage as seen from an operator's machine: identity-based settings lose the app's
 * user-assigned identity (`__clientId`), so the person's own sign-in is used.
 */
export function asOperator(storage: StorageSettings): StorageSettings {
  if (storage.kind !== 'identity') return storage;
  return {
    kind: 'identity',
    queueServiceUri: storage.queueServiceUri,
    tableServiceUri: storage.tableServiceUri,
  };
}
