import type { InventoryRepository } from './inventory';

/**
 * One registry, as retention sees it (issue 11 §3): ACR through `@azure/container-registry`, any other
 * OCI registry through the distribution API (shared/adapters/registry/). Errors say whether a retry can
 * help: a retryable `UpstreamError` (with `retryAfterMs` when the registry said, e.g. on 429), or a
 * `DomainError` that is not retryable (refused, locked, a role the identity lacks).
 */
export interface RegistryBackend {
  /** Whether a tag can be deleted while its manifest stays (ACR yes; distribution 2.8 no). */
  readonly canDeleteTags: boolean;
  /** Every repository of the registry, sorted. */
  listRepositories(): Promise<string[]>;
  /**
   * Tags (with last-update time and locks where the registry has them) and manifests (media type,
   * created time, children of indexes, subject of referrers, size when known) of one repository. A
   * repository that does not exist is empty.
   */
  inventory(repository: string): Promise<InventoryRepository>;
  /** Tag → digest right now, to skip a delete whose tag moved (or whose manifest gained a tag) since planning. */
  currentTags(repository: string): Promise<ReadonlyMap<string, string>>;
  /** Removes the tag, not the manifest. Resolves when the tag is already gone. */
  deleteTag(repository: string, tag: string): Promise<void>;
  /** Removes the manifest by digest (and every tag on it). Resolves when it is already gone. */
  deleteManifest(repository: string, digest: string): Promise<void>;
}
