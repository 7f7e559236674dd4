import { randomUUID } from 'node:crypto';
import { odata, type TableClient } from '@azure/data-tables';
import type { TraceReader, TraceRecorder } from '../../domain/ports';
import {
  ingressFactsFrom,
  ingressRecord,
  traceKeyOf,
  type AttemptRecord,
  type AttemptResult,
  type ClaimRecord,
  type ReceivedRecord,
  type ReceivedResult,
  type TraceLookup,
  type TraceMatch,
  type TraceRecords,
} from '../../domain/trace/trace-records';
import { statusOf, storageUpstream } from '../storage-errors';
import { createOnFirstUse } from './create-on-first-use';

/** Partition of ingress's dedupe claims (`ingressScope`), whose entities carry the ingress facts. */
const claimPartition = 'ingress';
/** Deliveries that took no claim: one partition, row `<dedupe key>|<time>|<random>`, so both a key and a digest are one query. */
const receivedPartition = 'trace-received';
/** Attempts of one event's actions: `trace-<dedupe key>`, row `<time>|<random>` (in time order). */
const attemptsPartition = (key: string) => `trace-${traceKeyOf(key)}`;

/** Longest text kept per property (Table Storage holds 32 K characters per string). */
const maxText = 4_000;

/**
 * The trace records in the dedupe table, so the nightly prune (by Timestamp) removes them with the
 * dedupe records. The ingress facts of a queued event are part of its dedupe claim (written by the
 * dedupe store in the same insert); this adapter writes the rest, insert-only (no row is ever updated,
 * so concurrent writers never contend), and reads everything back for `acr-autopilot trace`.
 */
export function createTableTraceStore(table: TableClient): TraceRecorder & TraceReader {
  const withTable = createOnFirstUse(table);
  const insert = async (entity: { partitionKey: string; rowKey: string } & Record<string, unknown>) => {
    try {
      await withTable(() => table.createEntity(entity));
    } catch (error) {
      throw storageUpstream('trace record write', error, 'table');
    }
  };
  const list = async <T extends object>(filter: string, select?: string[]): Promise<T[]> => {
    const rows: T[] = [];
    try {
      const entities = table.listEntities<T>({ queryOptions: { filter, ...(select ? { select } : {}) } });
      for await (const entity of entities) rows.push(entity);
    } catch (error) {
      if (statusOf(error) === 404) return []; // no table yet: nothing recorded
      throw storageUpstream('trace record read', error, 'table');
    }
    return rows;
  };

  return {
    async received(record) {
      const { dedupeKey, result, ...facts } = record;
      await insert({
        ...ingressRecord(facts),
        partitionKey: receivedPartition,
        rowKey: `${traceKeyOf(dedupeKey)}|${facts.receivedAt}|${randomUUID().slice(0, 8)}`,
        dedupeKey,
        result,
      });
    },
    async attempt(record) {
      await insert({
        partitionKey: attemptsPartition(record.dedupeKey),
        rowKey: `${record.at}|${randomUUID().slice(0, 8)}`,
        dedupeKey: record.dedupeKey,
        at: record.at,
        queue: record.queue,
        action: record.action,
        subject: cut(record.subject),
        result: record.result,
        ...(record.target ? { target: cut(record.target) } : {}),
        ...(record.attempt === undefined ? {} : { attempt: record.attempt }),
        ...(record.reason ? { reason: cut(record.reason) } : {}),
        ...(record.delayMs === undefined ? {} : { delayMs: record.delayMs }),
        ...(record.summary
          ? {
              summaryKind: record.summary.kind,
              summaryText: cut(record.summary.text),
              ...(record.summary.links ? { links: cut(JSON.stringify(record.summary.links)) } : {}),
            }
          : {}),
      });
    },
    async find(lookup) {
      if (lookup.kind === 'dedupe-key') return [{ dedupeKey: lookup.dedupeKey, receivedAt: '' }];
      const filter = lookupFilter(lookup);
      const select = ['RowKey', 'dedupeKey', 'receivedAt'];
      const [claims, received] = await Promise.all([
        list<{ rowKey: string; receivedAt?: string }>(
          `PartitionKey eq '${claimPartition}' and ${filter}`,
          select,
        ),
        list<{ dedupeKey?: string; receivedAt?: string }>(
          `PartitionKey eq '${receivedPartition}' and ${filter}`,
          select,
        ),
      ]);
      const latest = new Map<string, string>();
      const see = (key: string | undefined, at: string | undefined) => {
        if (!key) return;
        const seen = latest.get(key);
        if (seen === undefined || (at ?? '') > seen) latest.set(key, at ?? '');
      };
      for (const row of claims) see(row.rowKey, row.receivedAt);
      for (const row of received) see(row.dedupeKey, row.receivedAt);
      return [...latest]
        .map(([dedupeKey, receivedAt]): TraceMatch => ({ dedupeKey, receivedAt }))
        .sort((a, b) => b.receivedAt.localeCompare(a.receivedAt));
    },
    async read(dedupeKey): Promise<TraceRecords> {
      const key = traceKeyOf(dedupeKey);
      const [claim, received, attempts] = await Promise.all([
        key === dedupeKey ? readClaim(dedupeKey) : Promise.resolve(undefined),
        list<Record<string, unknown>>(
          odata`PartitionKey eq ${receivedPartition} and RowKey gt ${`${key}|`} and RowKey lt ${`${key}|~`}`,
        ),
        list<Record<string, unknown>>(odata`PartitionKey eq ${attemptsPartition(dedupeKey)}`),
      ]);
      return {
        dedupeKey,
        ...(claim ? { claim } : {}),
        received: received.flatMap((row) => receivedFrom(row, dedupeKey)),
        attempts: attempts.map((row) => attemptFrom(row, dedupeKey)),
      };
    },
  };

  async function readClaim(dedupeKey: string): Promise<ClaimRecord | undefined> {
    try {
      const entity = await table.getEntity<Record<string, unknown>>(claimPartition, dedupeKey);
      const facts = ingressFactsFrom(entity);
      const completedAt = text(entity.completedAt);
      const actions = entity.actions;
      return {
        state: entity.state === 'done' ? 'done' : 'pending',
        claimedAt: text(entity.claimedAt) ?? '',
        ...(completedAt ? { completedAt } : {}),
        ...(typeof actions === 'number' ? { actions } : {}),
        ...(facts ? { facts } : {}),
      };
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw storageUpstream('trace record read', error, 'table');
    }
  }
}

/** The OData filter of a lookup by digest or `repository:tag` (values quoted by `odata`). */
function lookupFilter(lookup: Exclude<TraceLookup, { kind: 'dedupe-key' }>): string {
  const parts =
    lookup.kind === 'digest'
      ? [
          odata`digest eq ${lookup.digest}`,
          lookup.repository ? odata`repository eq ${lookup.repository}` : '',
        ]
      : [odata`repository eq ${lookup.repository}`, odata`tag eq ${lookup.tag}`];
  if (lookup.registry) parts.push(odata`registry eq ${lookup.registry}`);
  return parts.filter(Boolean).join(' and ');
}

function receivedFrom(row: Record<string, unknown>, dedupeKey: string): ReceivedRecord[] {
  const facts = ingressFactsFrom(row);
  if (!facts) return [];
  return [{ ...facts, dedupeKey, result: (text(row.result) ?? 'duplicate') as ReceivedResult }];
}

function attemptFrom(row: Record<string, unknown>, dedupeKey: string): AttemptRecord {
  const target = text(row.target);
  const reason = text(row.reason);
  const summaryKind = text(row.summaryKind);
  const links = parseLinks(row.links);
  return {
    dedupeKey,
    at: text(row.at) ?? '',
    queue: text(row.queue) ?? '',
    action: text(row.action) ?? '',
    subject: text(row.subject) ?? '',
    result: (text(row.result) ?? 'done') as AttemptResult,
    ...(target ? { target } : {}),
    ...(typeof row.attempt === 'number' ? { attempt: row.attempt } : {}),
    ...(reason ? { reason } : {}),
    ...(typeof row.delayMs === 'number' ? { delayMs: row.delayMs } : {}),
    ...(summaryKind
      ? { summary: { kind: summaryKind, text: text(row.summaryText) ?? '', ...(links ? { links } : {}) } }
      : {}),
  };
}

function parseLinks(value: unknown): Record<string, string> | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    const parsed = JSON.parse(value) as unknown;
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const entries = Object.entries(parsed).filter(
      (entry): entry is [string, string] => typeof entry[1] === 'string',
    );
    return Object.fromEntries(entries);
  } catch {
    return undefined;
  }
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function cut(value: string): string {
  return value.length > maxText ? `${value.slice(0, maxText - 1)}…` : value;
}
