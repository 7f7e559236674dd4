import type { TableClient, TableEntity, TransactionAction } from '@azure/data-tables';

/** Azure Table Storage takes at most 100 operations per transaction, all in one partition. */
const maxTransaction = 100;

interface Waiting {
  entity: TableEntity;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Merges (`Merge` updates of existing rows) by group commit: a merge asked for while none is being
 * written goes out at once, alone; merges asked for while one is in flight wait for it and then go
 * out together, one transaction per partition (up to 100 rows). Each caller's promise settles when
 * its own row is written. Under load this turns N round trips into about one per write in flight (a
 * transaction of 5 merges costs Azurite about half of 5 single ones); one at a time it costs nothing
 * extra. A failed transaction (a row gone, for one) is retried row by row, so only the rows that
 * really fail reject.
 */
export function createMergeBatcher(table: TableClient): (entity: TableEntity) => Promise<void> {
  let waiting: Waiting[] = [];
  let writing = false;

  const writeOne = async ({ entity, resolve, reject }: Waiting) => {
    try {
      await table.updateEntity(entity, 'Merge');
      resolve();
    } catch (error) {
      reject(error);
    }
  };
  const writeGroup = async (group: Waiting[]) => {
    if (group.length === 1) return writeOne(group[0] as Waiting);
    try {
      await table.submitTransaction(
        group.map(({ entity }): TransactionAction => ['update', entity, 'Merge']),
      );
      for (const item of group) item.resolve();
    } catch {
      await Promise.all(group.map(writeOne));
    }
  };
  const drain = async () => {
    writing = true;
    while (waiting.length > 0) {
      const batch = waiting;
      waiting = [];
      await Promise.all(groups(batch).map(writeGroup));
    }
    writing = false;
  };

  return (entity) =>
    new Promise<void>((resolve, reject) => {
      waiting.push({ entity, resolve, reject });
      // drain() settles every caller itself and never rejects.
      if (!writing) void drain();
    });
}

/** Per partition, in chunks a transaction takes; a row asked for twice goes in separate chunks. */
function groups(batch: Waiting[]): Waiting[][] {
  const chunks: Waiting[][] = [];
  const open = new Map<string, { chunk: Waiting[]; rows: Set<string> }>();
  for (const item of batch) {
    const partition = item.entity.partitionKey;
    let current = open.get(partition);
    if (!current || current.chunk.length === maxTransaction || current.rows.has(item.entity.rowKey)) {
      current = { chunk: [], rows: new Set() };
      chunks.push(current.chunk);
      open.set(partition, current);
    }
    current.chunk.push(item);
    current.rows.add(item.entity.rowKey);
  }
  return chunks;
}
