import type { TableClient } from '@azure/data-tables';
import { statusOf } from '../storage-errors';

/**
 * Runs table operations, creating the table when an operation finds it missing (404) and then trying
 * once more. Infra creates tables in Azure; locally (Azurite) they appear on first use. Creation is one
 * shared promise, so many first operations racing each other create it once and all go on.
 */
export function createOnFirstUse(table: TableClient): <T>(operation: () => Promise<T>) => Promise<T> {
  let creating: Promise<unknown> | undefined;
  return async (operation) => {
    try {
      return await operation();
    } catch (error) {
      if (statusOf(error) !== 404) throw error;
      creating ??= table.createTable().catch((createError: unknown) => {
        creating = undefined;
        throw createError;
      });
      await creating;
      return operation();
    }
  };
}
