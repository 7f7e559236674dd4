import type { Reporter, TestModule, Vitest } from 'vitest/node';
import { formatReliabilityTable, type ReliabilityRow } from './reliability-row';

/**
 * Prints the reliability suite's summary table after the run (registered in .config/vitest.config.mts
 * next to the default reporter): one row per test that recorded one with `recordRow`, then how long
 * the files that recorded rows took. Prints nothing when no such test ran.
 */
export default class ReliabilityReporter implements Reporter {
  private vitest: Vitest | undefined;

  onInit(vitest: Vitest): void {
    this.vitest = vitest;
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const rows: ReliabilityRow[] = [];
    let files = 0;
    let durationMs = 0;
    // By file name, so the table reads the same in every run.
    const byFile = [...testModules].sort((a, b) => a.moduleId.localeCompare(b.moduleId));
    for (const testModule of byFile) {
      const recorded = [...testModule.children.allTests()].flatMap((test) => test.meta().reliability ?? []);
      if (recorded.length === 0) continue;
      rows.push(...recorded);
      files += 1;
      durationMs += testModule.diagnostic().duration;
    }
    if (rows.length === 0) return;
    const failed = rows.some((row) => row.lost > 0 || row.duplicated > 0 || row.unexpected > 0);
    const text = [
      '',
      'Reliability suite (test/e2e/reliability/)',
      formatReliabilityTable(rows),
      `${files} file(s), ${(durationMs / 1000).toFixed(1)} s` +
        (failed ? '; reactions were lost, duplicated or unexpected: see the failed tests above' : ''),
      '',
    ].join('\n');
    if (this.vitest) this.vitest.logger.log(text);
    else process.stdout.write(`${text}\n`);
  }
}
