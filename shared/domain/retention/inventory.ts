/**
 * What a registry backend reports about a registry, the input of the retention planner. Both backends
 * (ACR and any OCI registry) fill the same shape; fields a registry cannot tell are left out, and the
 * planner treats a missing fact conservatively (unknown age is young, unknown lock is unlocked).
 */

/** One tag, as listed by the registry. */
export interface InventoryTag {
  name: string;
  /** The manifest it points at, `sha256:…`. */
  digest: string;
  /** Last push of the tag (ACR `lastUpdateTime`); when absent, its manifest's time is used. */
  lastUpdated?: Date;
  /** ACR `deleteEnabled: false` or `writeEnabled: false`: never deleted. */
  locked?: boolean;
}

/** One manifest (image, OCI index, referrer artifact), tagged or not. */
export interface InventoryManifest {
  digest: string;
  mediaType?: string;
  /** Image config `created`, or the `org.opencontainers.image.created` annotation. */
  created?: Date;
  /** Last push of the manifest (ACR `lastUpdateTime`); preferred over `created` for its age. */
  lastUpdated?: Date;
  locked?: boolean;
  /** Tag names the registry lists on the manifest; the tag list stays the source of truth. */
  tags: string[];
  /** Digests of the manifests an index / manifest list refers to (platform images, attestations). */
  children?: string[];
  /** OCI 1.1 `subject`: the digest this referrer (signature, SBOM) is about. */
  subject?: string;
  artifactType?: string;
  sizeBytes?: number;
}

export interface InventoryRepository {
  name: string;
  tags: InventoryTag[];
  manifests: InventoryManifest[];
}

/** Every repository of one registry (or the one repository of a push-triggered run). */
export interface RegistryInventory {
  repositories: InventoryRepository[];
}
