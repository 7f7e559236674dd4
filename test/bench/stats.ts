/** Percentile of a sample in milliseconds (nearest rank). */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

/** Middle value of a sample (mean of the two middle ones for an even count). */
export function median(samples: readonly number[]): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? NaN)
    : ((sorted[middle - 1] ?? NaN) + (sorted[middle] ?? NaN)) / 2;
}

export const ms = (value: number) => `${value.toFixed(value < 10 ? 2 : 1)} ms`;

export interface Figure {
  name: string;
  value: string;
  target?: string;
  ok?: boolean;
}

export function printFigures(title: string, figures: Figure[]): void {
  console.log(`\n${title}`);
  for (const figure of figures) {
    const verdict = figure.ok === undefined ? '' : figure.ok ? '  ✓' : '  ✗ MISSED';
    console.log(
      `  ${figure.name.padEnd(44)} ${figure.value.padStart(14)}${figure.target ? `   target ${figure.target}` : ''}${verdict}`,
    );
  }
}
