import { readdirSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import picomatch from 'picomatch';

/**
 * Expands a package.json `main`-style pattern (`dist/functions/*.js`, `dist/src/{index.js,functions/*.js}`)
 * relative to `root`, sorted. A plain path is returned as is (when it exists).
 */
export function expandGlob(pattern: string, root: string): string[] {
  const absolute = isAbsolute(pattern) ? pattern : resolve(root, pattern);
  const scan = picomatch.scan(absolute);
  if (!scan.isGlob) return exists(absolute) ? [absolute] : [];
  const base = scan.base || '/';
  const matches = picomatch(relative(base, absolute).split('\\').join('/'));
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'node_modules') continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (matches(relative(base, path).split('\\').join('/'))) found.push(path);
    }
  };
  if (exists(base)) walk(base);
  return found.sort();
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}
