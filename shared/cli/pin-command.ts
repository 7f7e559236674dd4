import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Command, Option } from 'commander';
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
import { summarizeSkips } from '../domain/pinning/skip-summary';
import { tagMatcherProblem } from '../domain/rules/tag-matcher';
import { exitCodes, UsageError, type CliIo } from './cli-io';
import { configOption, example, jsonOption, repeatable, requiredOption, type ExitWith } from './command-kit';
import { loadCliConfig } from './load-cli-config';
import { unifiedDiff } from './unified-diff';

/** The parsed options of `pin`. */
export interface PinOptions {
  dir: string;
  /** `registry/repository:tag@sha256:…` */
  image: string;
  /** Globs relative to DIR; default every .yaml and .yml file. */
  paths?: string[] | undefined;
  mode?: RewriteOptions['mode'] | undefined;
  render?: RewriteOptions['render'] | undefined;
  tagPattern?: string | undefined;
  dryRun?: boolean | undefined;
  json?: boolean | undefined;
  config?: string | undefined;
}

const defaultPaths = ['**/*.yaml', '**/*.yml'];
/** Never descended into: git internals and vendored packages hold no manifests to pin. */
const skippedDirs = new Set(['.git', 'node_modules']);

export function pinCommand(io: CliIo, exit: ExitWith): Command {
  return new Command('pin')
    .description('pin an image digest into the YAML files under a folder, as the app does in a gitops repo')
    .addOption(requiredOption('--dir <dir>', 'the folder whose YAML files to rewrite in place'))
    .addOption(requiredOption('--image <ref>', 'the pushed image: registry/repository:tag@sha256:<64 hex>'))
    .addOption(repeatable('--paths <glob>', 'files under --dir to consider, default **/*.yaml and **/*.yml'))
    .addOption(
      new Option(
        '--mode <mode>',
        'pin: references on the tag get the digest; follow: also move older semver tags',
      )
        .choices(['pin', 'follow'])
        .default('pin'),
    )
    .addOption(
      new Option('--render <render>', 'how a one-string reference is written')
        .choices(['tag-and-digest', 'digest-only'])
        .default('tag-and-digest'),
    )
    .addOption(
      new Option('--tag-pattern <pattern>', 'with follow: only move to tags it matches (glob, re:, semver:)'),
    )
    .addOption(new Option('--dry-run', 'print a unified diff and write nothing'))
    .addOption(
      jsonOption(
        '{ "changes", "skipped", "mentions" } (paths relative to DIR, 1-based lines; a skip has a reason and a kind)',
      ),
    )
    .addOption(configOption())
    .addHelpText(
      'after',
      example('pin --dir ../gitops --image myreg.azurecr.io/payments/api:1.4.2@sha256:<64 hex> --dry-run'),
    )
    .action(async (options: PinOptions) => exit(await runPin(options, io)));
}

/**
 * Pins the image into the YAML files under DIR in place, exactly as the pin-requests function does in
 * a gitops repo; `dryRun` prints a unified diff instead and writes nothing, `json` prints
 * `{ changes, skipped, mentions }` (paths relative to DIR, 1-based lines): every line that names the
 * repository is in `mentions`, pinned or with its skip (file, line, reason, kind). Exit 0 whether or not anything
 * changed, 1 when the image is not a reference with a valid digest; UsageError for unusable options.
 * The config (or ./autopilot.yaml) only contributes `registryAliases`.
 */
export async function runPin(options: PinOptions, io: CliIo): Promise<number> {
  const rewrite = rewriteOptions(options);
  const paths = options.paths && options.paths.length > 0 ? options.paths : defaultPaths;
  let selected: (path: string) => boolean;
  try {
    selected = picomatch(paths, { dot: true });
  } catch (error) {
    throw new UsageError(`--paths: ${(error as Error).message}`);
  }
  const dir = resolve(io.cwd, options.dir);
  if (!(await stat(dir).catch(() => undefined))?.isDirectory()) {
    throw new UsageError(`--dir ${dir} is not a directory`);
  }

  const image = pushedImage(options.image);
  if (typeof image === 'string') {
    io.stderr(`--image ${options.image}: ${image}\n`);
    return exitCodes.problems;
  }
  const { config } = await loadCliConfig(io, options.config, { required: false });
  const files = await readTree(dir, selected);
  let result: RewriteResult;
  try {
    result = rewriteImageRefs(files, image, { ...rewrite, registryAliases: config.registryAliases });
  } catch (error) {
    if (!(error instanceof InvalidEventError)) throw error;
    io.stderr(`--image ${options.image}: ${error.message}\n`);
    return exitCodes.problems;
  }

  const report = { changes: result.changes, skipped: result.skipped, mentions: result.mentions };
  if (options.json) {
    io.stdout(`${JSON.stringify(report, null, 2)}\n`);
  } else if (options.dryRun) {
    const before = new Map(files.map((file) => [file.file, file.content]));
    io.stdout(
      result.files.map((file) => unifiedDiff(file.file, before.get(file.file) ?? '', file.content)).join(''),
    );
  } else {
    io.stdout(describe(report, image, result.files.length));
  }
  if (image.tag === undefined && !options.json) {
    io.stderr('REF has no tag: a digest alone does not say which references to pin, so nothing changed\n');
  }
  if (!options.dryRun) {
    for (const file of result.files) await writeFile(join(dir, file.file), file.content, 'utf8');
  }
  return exitCodes.ok;
}

function rewriteOptions(options: PinOptions): Partial<RewriteOptions> {
  const problem = options.tagPattern === undefined ? undefined : tagMatcherProblem(options.tagPattern);
  if (problem) throw new UsageError(`--tag-pattern: ${problem}`);
  const rewrite: Partial<RewriteOptions> = {};
  if (options.mode !== undefined) rewrite.mode = options.mode;
  if (options.render !== undefined) rewrite.render = options.render;
  if (options.tagPattern !== undefined) rewrite.tagPattern = options.tagPattern;
  return rewrite;
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
  if (report.skipped.length > 0) lines.push(summarizeSkips(report.skipped));
  for (const skip of report.skipped) lines.push(`  ${skip.file}:${skip.line}: ${skip.reason}`);
  return `${lines.join('\n')}\n`;
}
