import { createPinTarget } from './pin-target';
import { rewriteFile } from './rewrite-file';
import type { FileContent, PushedImage, RewriteOptions, RewriteResult } from './rewrite-types';

export type {
  FileContent,
  PushedImage,
  RewriteChange,
  RewriteMention,
  RewriteOptions,
  RewriteResult,
  RewriteSkip,
  SkipKind,
} from './rewrite-types';
export { defaultRewriteOptions } from './rewrite-types';
export { markerKeyword, type Marker } from './markers';

/**
 * Pins the pushed image's digest into GitOps YAML files. Pure: files in, new contents out.
 *
 * Every reference to the pushed repository that carries the pushed tag gets its digest
 * (`repo:1.4.2` → `repo:1.4.2@sha256:…`); in `follow` mode an older semver tag also moves. References
 * are found by YAML shape (pod specs of any workload, image volumes, kustomize `images`, Helm values,
 * Flux HelmRelease values, Argo CD Applications, compose) and by marker comments (`markerKeyword`), and
 * edited by splicing text into the scalar's source range: every other byte of the file stays as it was,
 * including comments, quoting, CRLF line ends and a byte-order mark.
 *
 * No silent miss: every line that mentions the pushed repository's path (with or without a registry,
 * any Docker Hub spelling; see `mentionOffsets`) is in `mentions`, either pinned by a change or with a
 * skip at that line in `skipped`, each with a reason and a `kind` to count (other tag, already pinned,
 * other registry, templated, in a comment, not an image field…). Never throws for file content:
 * unparseable files (Go templates), values with variables, and anchors shared with other values are
 * skipped the same way. Throws `InvalidEventError` when the pushed image itself cannot be written (a
 * malformed digest).
 *
 * `changes` has one entry per changed line, with the whole line before and after (no line break);
 * `line` numbers the new content, and a line the engine added (a kustomize `digest:` key) has
 * `before: ''`. `files` holds only changed files.
 */
export function rewriteImageRefs(
  files: readonly FileContent[],
  image: PushedImage,
  options: Partial<RewriteOptions> = {},
): RewriteResult {
  const target = createPinTarget(image, options);
  const result: RewriteResult = { changes: [], skipped: [], mentions: [], files: [] };
  for (const { file, content } of files) {
    const outcome = rewriteFile(file, content, target);
    result.changes.push(...outcome.changes);
    result.skipped.push(...outcome.skipped);
    result.mentions.push(...outcome.mentions);
    if (outcome.content !== undefined && outcome.content !== content) {
      result.files.push({ file, content: outcome.content });
    }
  }
  return result;
}
