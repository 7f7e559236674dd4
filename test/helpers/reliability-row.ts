import type { TaskMeta } from 'vitest';

/**
 * One row of the reliability suite's summary table (test/e2e/reliability/): how many events went in,
 * how many reactions (commits, deploy calls, cards, answers) came out, and how many expected
 * reactions never came (lost) or came more than once (duplicated). The test attaches it to its own
 * task's metadata; test/helpers/reliability-reporter.ts prints every row after the run.
 */
export interface ReliabilityRow {
  scenario: string;
  eventsIn: number;
  reactionsOut: number;
  /** Expected reactions never observed. */
  lost: number;
  /** Observed reactions minus distinct ones. */
  duplicated: number;
  /** Observed reactions nobody expected (a card for an event that was not sent, …). */
  unexpected: number;
}

declare module 'vitest' {
  interface TaskMeta {
    reliability?: ReliabilityRow;
  }
}

/**
 * Compares reactions by identity: `expected` holds one id per reaction that must happen exactly once
 * (`commit:payments/api:1.0.0`), `observed` one id per reaction seen, repeats included.
 */
export function tally(
  expected: readonly string[],
  observed: readonly string[],
): Pick<ReliabilityRow, 'reactionsOut' | 'lost' | 'duplicated' | 'unexpected'> {
  const wanted = new Set(expected);
  const seen = new Set(observed);
  return {
    reactionsOut: observed.length,
    lost: [...wanted].filter((id) => !seen.has(id)).length,
    duplicated: observed.length - seen.size,
    unexpected: [...seen].filter((id) => !wanted.has(id)).length,
  };
}

/** Ids that occur more than once, and how often: what a failed `duplicated = 0` should show. */
export function repeats(observed: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const id of observed) counts[id] = (counts[id] ?? 0) + 1;
  return Object.fromEntries(Object.entries(counts).filter(([, count]) => count > 1));
}

/** Attaches the row to the running test, so the reporter prints it even when an assertion then fails. */
export function recordRow(task: { meta: TaskMeta }, row: ReliabilityRow): void {
  task.meta.reliability = row;
}

const columns: { title: string; cell: (row: ReliabilityRow) => string }[] = [
  { title: 'scenario', cell: (row) => row.scenario },
  { title: 'events in', cell: (row) => row.eventsIn.toLocaleString('en-US') },
  { title: 'reactions out', cell: (row) => row.reactionsOut.toLocaleString('en-US') },
  { title: 'lost', cell: (row) => String(row.lost) },
  { title: 'duplicated', cell: (row) => String(row.duplicated) },
];

/** The rows as a plain-text table: the scenario left-aligned, the figures right-aligned. */
export function formatReliabilityTable(rows: readonly ReliabilityRow[]): string {
  const cells = [
    columns.map((column) => column.title),
    ...rows.map((row) => columns.map((c) => c.cell(row))),
  ];
  const widths = columns.map((_, i) => Math.max(...cells.map((line) => (line[i] ?? '').length)));
  const render = (line: string[]) =>
    line
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const [header = [], ...body] = cells;
  const rule = widths.map((width) => '-'.repeat(width)).join('  ');
  return [render(header), rule, ...body.map(render)].join('\n');
}
