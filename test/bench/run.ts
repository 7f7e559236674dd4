import { cpus } from 'node:os';
import { benchColdStart } from './cold-start';
import { benchEventGridBatch, benchFanOut, benchIngress } from './ingress';
import { benchPinning } from './pinning';
import { benchRetention } from './retention';
import { benchDeploy } from './deploy';
import type { Figure } from './stats';

const benches: Record<string, () => Promise<Figure[]>> = {
  ingress: () => benchIngress({ sequential: 2000, concurrent: 6000, concurrency: 16, rounds: 3 }),
  'cold-start': () => benchColdStart(9),
  'event-grid': () => benchEventGridBatch(1000),
  'fan-out': () => benchFanOut(500),
  pinning: () => benchPinning({ rewriteRuns: 5, pushes: 20 }),
  retention: () => benchRetention({ images: 150 }),
  deploy: () => benchDeploy({ pushes: 50 }),
};

/**
 * `npm run bench [-- name ...]`: performance figures for README, measured on this machine; names pick
 * some of the benches (ingress, cold-start, event-grid, fan-out, pinning, retention, deploy).
 */
async function main() {
  const names = process.argv.slice(2);
  const unknown = names.filter((name) => !(name in benches));
  if (unknown.length > 0) {
    throw new Error(`unknown bench ${unknown.join(', ')}; choose from ${Object.keys(benches).join(', ')}`);
  }
  console.log(
    `acr-autopilot bench: Node ${process.version}, ${cpus().length} CPU(s) (${cpus()[0]?.model ?? 'unknown'})`,
  );
  const figures: Figure[] = [];
  for (const [name, bench] of Object.entries(benches)) {
    if (names.length === 0 || names.includes(name)) figures.push(...(await bench()));
  }
  const missed = figures.filter((figure) => figure.ok === false);
  if (missed.length > 0) {
    console.log(`\n${missed.length} target(s) missed: ${missed.map((figure) => figure.name).join(', ')}`);
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
