import { cpus } from 'node:os';
import { benchFanOut, benchIngress } from './ingress';
import { benchPinning } from './pinning';
import { benchRetention } from './retention';
import { benchDeploy } from './deploy';

/** `npm run bench`: performance figures for README, measured on this machine. */
async function main() {
  console.log(
    `acr-autopilot bench: Node ${process.version}, ${cpus().length} CPU(s) (${cpus()[0]?.model ?? 'unknown'})`,
  );
  const figures = [
    ...(await benchIngress({ sequential: 2000, concurrent: 5000, concurrency: 16 })),
    ...(await benchFanOut(500)),
    ...(await benchPinning({ rewriteRuns: 5, pushes: 20 })),
    ...(await benchRetention({ images: 150 })),
    ...(await benchDeploy({ pushes: 50 })),
  ];
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
