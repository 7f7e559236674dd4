/** The output of `planRetention`: a decision with a reason for everything, and the deletes to apply. */

export type RetentionDecision = 'keep' | 'delete';

export interface TagDecision {
  tag: string;
  digest: string;
  decision: RetentionDecision;
  /** Why, for people: `newest 3 of 41`, `matches latest`, `older than 14d, not in newest 10 of 41`. */
  reason: string;
}

/** A decision on an untagged manifest (a tagged one goes or stays with its tags). */
export interface ManifestDecision {
  digest: string;
  decision: RetentionDecision;
  reason: string;
}

/** Counts over the decisions (tags and untagged manifests) and over the manifests that go. */
export interface RetentionCounts {
  keep: number;
  delete: number;
  /** Manifests deleted, tagged or not: the images that are gone after apply. */
  manifestsDeleted: number;
  /** Sum of the known sizes of the deleted manifests (layers shared with kept images included). */
  bytesDeleted: number;
}

export interface RepositoryPlan {
  name: string;
  /** Indexes into `retention.policies` of the policies that apply here; empty: nothing is deleted. */
  policies: number[];
  /** Every tag, newest first (unknown age first, then by last update, then by name). */
  tags: TagDecision[];
  /** Every untagged manifest, newest first. */
  manifests: ManifestDecision[];
  counts: RetentionCounts;
}

/**
 * One delete to apply. `delete-manifest` removes the manifest by digest and, with it, every tag on it
 * (distribution and ACR both do), so tags of a manifest that goes get no operation of their own.
 * `delete-tag` only untags: the manifest stays (it is pinned, locked, or part of a kept image).
 */
export type RetentionOperation =
  | {
      kind: 'delete-tag';
      repository: string;
      tag: string;
      /** The digest the tag pointed to when planned; apply may skip the tag if it moved since. */
      digest: string;
      /** Operations of a lower wave must finish first; those of one wave may run in parallel. */
      wave: number;
    }
  | {
      kind: 'delete-manifest';
      repository: string;
      digest: string;
      /** The tags that go with it, as planned; apply may skip the manifest if it gained a tag since. */
      tags: string[];
      reason: string;
      sizeBytes?: number;
      wave: number;
    };

export interface RegistryRetentionPlan {
  /** The registry's name in `retention.registries`. */
  registry: string;
  /** The login server or URL, for reports; the name when neither is known. */
  address: string;
  repositories: RepositoryPlan[];
  /**
   * Sorted by wave: a manifest's referrers and (for an index) its children go before it. Those are
   * found only through it (the referrers API asks by subject; distribution cannot list untagged
   * manifests), so an apply that stops half-way leaves nothing behind that a later run cannot find.
   */
  operations: RetentionOperation[];
  totals: RetentionCounts;
}
