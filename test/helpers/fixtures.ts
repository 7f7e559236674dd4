import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const repoRoot = join(__dirname, '..', '..');
export const fixturesDir = join(repoRoot, 'test', 'fixtures');

/** Parsed JSON from test/fixtures, e.g. `loadFixture('events/acr-webhook/push.json')`. */
export function loadFixture<T = unknown>(path: string): T {
  return JSON.parse(readFileSync(join(fixturesDir, path), 'utf8')) as T;
}

export function fixturePath(path: string): string {
  return join(fixturesDir, path);
}
