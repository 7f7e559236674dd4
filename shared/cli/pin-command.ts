import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import picomatch from 'picomatch';
import { InvalidEventError } from '../domain/errors';
import { shortDigest } from '../domain/events/image-event';
import { parseImageReference } from '../domain/pinning/image-reference';
import {
  rewriteImageRefs,
  type FileContent,
  type PushedImage,
  type RewriteOptions,
  type RewriteResult,
} from '../domain/pinning/rewrite-image-refs';
import { tagMatcherProblem } from '../domain/rules/tag-matcher';
import { exitCodes, UsageError, type CliIo } from './cli-io';
import { loadCliConfig } from './load-cli-config';
import { unifiedDiff } from './unified-diff';

export const pinUsage =
  'acr-autopilot pin --dir DIR --image REF [--paths GLOB ...] [--mode pin|follow] ' +
  '[--render tag-and-digest|digest-only] [--tag-pattern P] [--dry-run] [--json] [--config F]';

const defaultPaths = ['**/*.yaml', '**/*.yml'];
/** Never descended into: git internals and vendored packages hold no manifests to pin. */
const skippedDirs = new Set(['.git', 'node_modules']);

/**
 * Pins REF (`registry/repository:tag@sha256:…`) into the YAML files under DIR in place, exactly as the
 * pin-requests function does in a gitops repo; `--dry-run` prints a unified diff instead and writes
 * nothing, `--json` prints `{ changes, skipped }` (paths relative to DIR, 1-based lines). Exit 0 whether
 * or not anything changed, 1 when REF is not a reference with a valid digest, 2 for usage errors.
 * `--config` (or ./autopilot.yaml) only contributes `registryAliases`.
 */
export async function pinCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      dir: { type: 'string' },
      image: { type: 'string' },
      paths: { type: 'string', multiple: true },
      mode: { type: 'string', default: 'pin' },
      render: { type: 'string', default: 'tag-and-digest' },
      'tag-pattern': { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      config: { type: 'string' },
    },
  });
  if (!values.dir) throw new UsageError(`--dir DIR is required\nusage: ${pinUsage}`);
  if (!values.image) throw new UsageError(`--image REF is required\nusage: ${pinUsage}`);
  const options = rewriteOptions(values.mode, values.render, values['tag-pattern']);
  const paths = values.paths && values.paths.length > 0 ? values.paths : defaultPaths;
  let selected: (path: string) => boolean;
  try {
    selected = picomatch(paths, { dot: true });
  } catch (error) {
    throw new UsageError(`--paths: ${(error as Error).message}\nusage: ${pinUsage}`);
  }
  const dir = resolve(io.cwd, values.dir);
  if (!(await stat(dir).catch(() => undefined))?.isDirectory()) {
    throw new UsageError(`--dir ${dir} is not a directory`);
  }

  const image = pushedImage(values.image);
  if (typeof image === 'string') {
    io.stderr(`--image ${values.image}: ${image}\n`);
    return exitCodes.problems;
  }
  const { config } = await loadCliConfig(io, values.config, { required: false });
  const files = await readTree(dir, selected);
  let result: RewriteResult;
  try {
    result = rewriteImageRefs(files, image, { ...options, registryAliases: config.registryAliases });
  } catch (error) {
    if (!(error instanceof InvalidEventError)) throw error;
    io.stderr(`--image ${values.image}: ${error.message}\n`);
    return exitCodes.problems;
  }

  const report = { changes: result.changes, skipped: result.skipped };
  if (values.json) {
    io.stdout(`${JSON.stringify(report, null, 2)}\n`);
  } else if (values['dry-run']) {
    const before = new Map(files.map((file) => [file.file, file.content]));
    io.stdout(
      result.files.map((file) => unifiedDiff(file.file, before.get(file.file) ?? '', file.content)).join(''),
    );
  } else {
    io.stdout(describe(report, image, result.files.length));
  }
  if (image.tag === undefined && !values.json) {
    io.stderr('REF has no tag: a digest alone does not say which references to pin, so nothing changed\n');
  }
  if (!values['dry-run']) {
    for (const file of result.files) await writeFile(join(dir, file.file), file.content, 'utf8');
  }
  return exitCodes.ok;
}

function rewriteOptions(
  mode: string | undefined,
  render: string | undefined,
  tagPattern: string | undefined,
) {
  if (mode !== 'pin' && mode !== 'follow') {
    throw new UsageError(`--mode must be pin or follow, not "${mode}"\nusage: ${pinUsage}`);
  }
  if (render !== 'tag-and-digest' && render !== 'digest-only') {
    throw new UsageError(
      `--render must be tag-and-digest or digest-only, not "${render}"\nusage: ${pinUsage}`,
    );
  }
  const problem = tagPattern === undefined ? undefined : tagMatcherProblem(tagPattern);
  if (problem) throw new UsageError(`--tag-pattern: ${problem}`);
  const options: Partial<RewriteOptions> = { mode, render };
  if (tagPattern !== undefined) options.tagPattern = tagPattern;
  return options;
}

/** The pushed image from REF, or why REF is not usable (it needs a registry-qualified name and a digest). */
function pushedImage(ref: string): PushedImage | string {
  const parsed = parseImageReference(ref);
  if (!parsed.ok) return parsed.reason;
  const { registry, repository, tag, digest } = parsed.reference;
  if (digest === undefined) return 'the reference has no digest; use registry/repository:tag@sha256:<64 hex>';
  return { registry, repository, digest, ...(tag === undefined ? {} : { tag }) };
}

/** Every selected regular file under `root` (symbolic links are not followed), paths `/`-separated. */
async function readTree(root: string, selected: (path: string) => boolean): Promise<FileContent[]> {
  const files: FileContent[] = [];
  const walk = async (relative: string): Promise<void> => {
    const entries = await readdir(join(root, relative), { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const path = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (!skippedDirs.has(entry.name)) await walk(path);
      } else if (entry.isFile() && selected(path)) {
        // Buffer#toString keeps a byte-order mark, so writing the file back keeps it too.
        files.push({ file: path, content: (await readFile(join(root, path))).toString('utf8') });
      }
    }
  };
  await walk('');
  return files;
}

function describe(
  report: Pick<RewriteResult, 'changes' | 'skipped'>,
  image: PushedImage,
  fileCount: number,
): string {
  const name = `${image.registry}/${image.repository}${image.tag ? `:${image.tag}` : ''}@${shortDigest(image.digest)}`;
  const lines =
    report.changes.length === 0
      ? [`no reference to change for ${name}`]
      : [`pinned ${name}: ${report.changes.length} line(s) in ${fileCount} file(s)`];
  for (const change of report.changes) {
    lines.push(`  ${change.file}:${change.line}`);
    if (change.before !== '') lines.push(`    - ${change.before.trim()}`);
    lines.push(`    + ${change.after.trim()}`);
  }
  if (report.skipped.length > 0) lines.push(`skipped ${report.skipped.length} reference(s):`);
  for (const skip of report.skipped) lines.push(`  ${skip.file}:${skip.line}: ${skip.reason}`);
  return `${lines.join('\n')}\n`;
}
