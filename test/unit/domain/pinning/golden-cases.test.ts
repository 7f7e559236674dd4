import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  rewriteImageRefs,
  type PushedImage,
  type RewriteChange,
  type RewriteOptions,
  type SkipKind,
} from '../../../../shared/domain/pinning/rewrite-image-refs';
import { fixturePath } from '../../../helpers/fixtures';

/**
 * Golden trees in test/fixtures/pinning/<case>/: `before/` is copied to a temp dir, the engine runs with
 * the image and options of `case.json`, changed files are written back, and the tree must equal
 * `after/` byte for byte. `changed` lists the intended lines (`file:line`, new numbering), `skipped` the
 * expected notes (reason is a prefix, kind exact). Every line that mentions the pushed repository ends
 * as an edit or a skip at that line (no silent miss).
 */
interface GoldenCase {
  description: string;
  image: PushedImage;
  options: Partial<RewriteOptions>;
  changed: string[];
  skipped: { file: string; line: number; reason: string; kind: SkipKind }[];
}

const root = fixturePath('pinning');
const cases = readdirSync(root)
  .filter((name) => statSync(join(root, name)).isDirectory())
  .sort();

function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix))
    .flatMap((name) => {
      const path = prefix === '' ? name : `${prefix}/${name}`;
      return statSync(join(dir, path)).isDirectory() ? listFiles(dir, path) : [path];
    })
    .sort();
}

/** Lines without their breaks (and without a BOM), the way changes report them. */
function linesOf(content: string): string[] {
  return content.replace(/^\uFEFF/, '').split(/\r?\n/);
}

/** Rebuilds the new lines from the old ones and the reported changes alone. */
function applyChanges(old: string[], changes: RewriteChange[]): string[] {
  const byLine = new Map(changes.map((change) => [change.line, change]));
  const result: string[] = [];
  let next = 0;
  while (next < old.length || byLine.has(result.length + 1)) {
    const change = byLine.get(result.length + 1);
    if (change === undefined) {
      result.push(old[next++] ?? '');
    } else if (change.before === '') {
      result.push(change.after);
    } else {
      expect(old[next], `line ${change.line} before`).toBe(change.before);
      result.push(change.after);
      next++;
    }
  }
  return result;
}

/**
 * Lines that name the pushed repository, found independently of the engine: the path as a whole word,
 * alone, after a host (`x.y/`, `host:port/`), after a variable standing for one (`${R}/`, `}}/`), and
 * for Docker Hub after `library/`; a one-component path alone only with `:tag` or `@digest`.
 */
function mentionLines(content: string, image: PushedImage): number[] {
  const dockerHub = ['docker.io', 'index.docker.io', 'registry-1.docker.io'].includes(image.registry);
  const path = dockerHub ? image.repository.replace(/^library\//, '') : image.repository;
  const escaped = path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const host = String.raw`(?:[\w-]+(?:\.[\w-]+)+(?::\d+)?|localhost(?::\d+)?|\$\{?\w+\}?|\}\})/`;
  const prefix = dockerHub ? `(?:(?:(?:${host})?library/)|${host})` : host;
  const alone = path.includes('/') ? '' : String.raw`(?=:\w|@)`;
  const qualified = new RegExp(String.raw`(?:^|[^\w.\-/:\[\]])${prefix}${escaped}(?![\w.\-/])`, 'i');
  const bare = new RegExp(String.raw`(?:^|[^\w.\-/:\[\]])${escaped}(?![\w.\-/])${alone}`, 'i');
  return content
    .split('\n')
    .flatMap((line, index) => (qualified.test(line) || bare.test(line) ? [index + 1] : []));
}

describe('rewriteImageRefs golden cases', () => {
  it('has cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(10);
  });

  it.each(cases)('%s', (name) => {
    const dir = join(root, name);
    const spec = JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8')) as GoldenCase;
    const work = mkdtempSync(join(tmpdir(), `pinning-${name}-`));
    try {
      cpSync(join(dir, 'before'), work, { recursive: true });
      const files = listFiles(work).map((file) => ({
        file,
        content: readFileSync(join(work, file), 'utf8'),
      }));
      const result = rewriteImageRefs(files, spec.image, spec.options);
      for (const file of result.files) writeFileSync(join(work, file.file), file.content);

      // The tree equals after/, byte for byte.
      const after = join(dir, 'after');
      expect(listFiles(work)).toEqual(listFiles(after));
      for (const file of listFiles(after)) {
        const actual = readFileSync(join(work, file));
        const expected = readFileSync(join(after, file));
        expect(actual.toString('utf8'), file).toBe(expected.toString('utf8'));
        expect(actual.equals(expected), `${file} bytes`).toBe(true);
      }

      // Exactly the intended lines changed, and every other line is identical.
      expect(result.changes.map((change) => `${change.file}:${change.line}`).sort()).toEqual(
        [...spec.changed].sort(),
      );
      for (const { file, content } of files) {
        const changes = result.changes.filter((change) => change.file === file);
        const rebuilt = applyChanges(linesOf(content), changes);
        expect(rebuilt, file).toEqual(linesOf(readFileSync(join(after, file), 'utf8')));
        const changed = result.files.some((written) => written.file === file);
        expect(changed, `${file} listed in files`).toBe(changes.length > 0);
      }

      expect(result.skipped.map(({ file, line }) => `${file}:${line}`)).toEqual(
        spec.skipped.map(({ file, line }) => `${file}:${line}`),
      );
      result.skipped.forEach((skip, index) => {
        expect(skip.reason).toContain(spec.skipped[index]?.reason);
        expect(skip.kind, skip.reason).toBe(spec.skipped[index]?.kind);
      });

      // No silent miss: every mention is pinned by a change or has a skip at its own line.
      const changedAt = new Set(result.changes.map((change) => `${change.file}:${change.line}`));
      const skippedAt = new Set(result.skipped.map((skip) => `${skip.file}:${skip.line}`));
      const mentioned = new Map(
        result.mentions.map((mention) => [`${mention.file}:${mention.line}`, mention]),
      );
      for (const { file, content } of files) {
        for (const line of mentionLines(content, spec.image)) {
          const mention = mentioned.get(`${file}:${line}`);
          expect(mention, `${file}:${line} is a mention`).toBeDefined();
          if (mention?.outcome === 'pinned') {
            expect(changedAt.has(`${file}:${mention.changedLine}`), `${file}:${line} pinned`).toBe(true);
          } else {
            expect(skippedAt.has(`${file}:${line}`), `${file}:${line} skipped`).toBe(true);
          }
        }
      }
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
