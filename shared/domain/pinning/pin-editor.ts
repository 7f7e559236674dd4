import picomatch from 'picomatch';
import type { GitEdit, GitTree } from '../ports';
import {
  rewriteImageRefs,
  type FileContent,
  type PushedImage,
  type RewriteChange,
  type RewriteOptions,
  type RewriteResult,
} from './rewrite-image-refs';

/** Blob reads in flight at once while collecting the files under `paths`. */
const readConcurrency = 16;

/** The writer's edit for one pin, and what its latest round found. */
export interface PinEditor {
  /** Pure in the tree: runs again on the fresh tree after a lost race. */
  edit: GitEdit;
  /** The result of the latest round (the one that was committed); empty before the first. */
  last(): RewriteResult;
}

/**
 * Builds the edit the git writer re-applies every round: list the tree, keep the files `paths` select
 * (globs, dotfiles included: `.argocd-source-*.yaml`), rewrite them with `rewriteImageRefs`, and
 * commit the changed ones with `message(changes)`. Nothing changed means no commit.
 */
export function createPinEditor(input: {
  paths: readonly string[];
  image: PushedImage;
  options: Partial<RewriteOptions>;
  message: (changes: readonly RewriteChange[]) => string;
}): PinEditor {
  const selected = picomatch([...input.paths], { dot: true });
  let last: RewriteResult = { changes: [], skipped: [], mentions: [], files: [] };
  const edit: GitEdit = async (tree) => {
    const paths = (await tree.list()).filter((path) => selected(path));
    const result = rewriteImageRefs(await readFiles(tree, paths), input.image, input.options);
    last = result;
    return result.files.length === 0 ? null : { files: result.files, message: input.message(result.changes) };
  };
  return { edit, last: () => last };
}

/** Reads the selected files, a few at a time (a large gitops tree has thousands). */
async function readFiles(tree: GitTree, paths: readonly string[]): Promise<FileContent[]> {
  const files: FileContent[] = [];
  for (let start = 0; start < paths.length; start += readConcurrency) {
    const batch = paths.slice(start, start + readConcurrency);
    const contents = await Promise.all(batch.map((path) => tree.read(path)));
    batch.forEach((file, index) => files.push({ file, content: contents[index] ?? '' }));
  }
  return files;
}
