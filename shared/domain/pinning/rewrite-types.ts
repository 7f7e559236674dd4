/** The image that was pushed, as the pin request carries it. */
export interface PushedImage {
  /** Login server, e.g. `myreg.azurecr.io`. An empty string (the event named none) matches nothing. */
  registry: string;
  /** Repository path in that registry, e.g. `payments/api`. */
  repository: string;
  /** Absent for a digest-only push: then no reference is rewritten (nothing says which tag moved). */
  tag?: string;
  /** `sha256:<hex>`. */
  digest: string;
}

/** How references are rewritten; every field has a default (see `defaultRewriteOptions`). */
export interface RewriteOptions {
  /**
   * `pin` (default): references carrying the pushed tag get its digest. `follow`: also move references
   * on an older semver tag of the same repository to the pushed tag.
   */
  mode: 'pin' | 'follow';
  /**
   * `tag-and-digest` (default) writes `repo:1.4.2@sha256:…`; `digest-only` writes `repo@sha256:…` where the
   * reference is one string. Split fields (Helm `tag`, kustomize `newTag`) keep their tag either way.
   */
  render: 'tag-and-digest' | 'digest-only';
  /** The rule's tag matcher (glob, `re:<regex>`, `semver:<range>`); `follow` moves only to tags it accepts. */
  tagPattern?: string;
  /** Canonical login server → other host names of the same registry (custom domains). */
  registryAliases?: Record<string, string[]>;
}

/** One file handed to or returned by the engine; `file` is a path relative to the repository root. */
export interface FileContent {
  file: string;
  content: string;
}

/** One changed line. */
export interface RewriteChange {
  file: string;
  /** 1-based line number in the new content. */
  line: number;
  /** The whole line in the old content, without its line break; `''` for a line the engine inserted. */
  before: string;
  /** The whole line in the new content, without its line break. */
  after: string;
}

/**
 * Why a mention of the pushed repository was not rewritten, as a category a summary can count
 * ("3 mentions skipped: 2 other tag, 1 templated"); `skipKindLabels` names each one.
 */
export type SkipKind =
  | 'already-pinned'
  | 'other-tag'
  | 'no-tag'
  | 'other-registry'
  | 'other-repository'
  | 'templated'
  | 'invalid-yaml'
  | 'multi-line'
  | 'comment'
  | 'not-an-image-field'
  | 'not-a-reference'
  | 'shared-anchor'
  | 'invalid-marker'
  | 'cannot-edit';

/** A line that mentions the pushed repository (or a whole file) the engine did not rewrite, and why. */
export interface RewriteSkip {
  file: string;
  /** 1-based line in the original content. */
  line: number;
  reason: string;
  kind: SkipKind;
}

/**
 * A line that mentions the pushed repository's path (with or without a registry, any Docker Hub
 * spelling), and what became of it: every mention is either pinned by a change or has a skip at this
 * very line.
 */
export interface RewriteMention {
  file: string;
  /** 1-based line in the original content. */
  line: number;
  outcome: 'pinned' | 'skipped';
  /** `pinned`: the changed line (new numbering) that pins it, often this line, else the tag or digest line. */
  changedLine?: number;
}

/** What `rewriteImageRefs` did. Unchanged files are not in `files`; no changes means nothing to commit. */
export interface RewriteResult {
  changes: RewriteChange[];
  skipped: RewriteSkip[];
  /** Every line that names the pushed repository, in file order. */
  mentions: RewriteMention[];
  /** New content of every changed file, in input order. */
  files: FileContent[];
}

/** The defaults `rewriteImageRefs` uses for options left out. */
export const defaultRewriteOptions: Readonly<Pick<RewriteOptions, 'mode' | 'render'>> = {
  mode: 'pin',
  render: 'tag-and-digest',
};
