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

/** A reference (or a whole file) the engine found but did not rewrite, and why. */
export interface RewriteSkip {
  file: string;
  /** 1-based line in the original content. */
  line: number;
  reason: string;
}

/** What `rewriteImageRefs` did. Unchanged files are not in `files`; no changes means nothing to commit. */
export interface RewriteResult {
  changes: RewriteChange[];
  skipped: RewriteSkip[];
  /** New content of every changed file, in input order. */
  files: FileContent[];
}

/** The defaults `rewriteImageRefs` uses for options left out. */
export const defaultRewriteOptions: Readonly<Pick<RewriteOptions, 'mode' | 'render'>> = {
  mode: 'pin',
  render: 'tag-and-digest',
};
