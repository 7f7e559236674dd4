import {
  acrMediaTypes,
  type AcrLocks,
  type FakeAcrManifestSeed,
  type FakeAcrSeed,
  type FakeAcrTagSeed,
} from './fake-acr-seed';

/** The fake ACR server's in-memory registry and its `/acr/v1` wire shapes (SWAGGER 2021-07-01). */

type Locks = Required<AcrLocks>;

export interface TagRecord {
  name: string;
  digest: string;
  createdOn: Date;
  lastUpdatedOn: Date;
  locks: Locks;
}

export interface ManifestRecord {
  digest: string;
  createdOn: Date;
  lastUpdatedOn: Date;
  locks: Locks;
  mediaType: string;
  references: { digest: string; architecture?: string; os?: string }[];
  subject?: string;
  artifactType?: string;
  architecture?: string;
  os?: string;
  imageSize: number;
  annotations?: Record<string, string>;
  content: string;
}

export interface RepositoryRecord {
  name: string;
  createdOn: Date;
  lastUpdatedOn: Date;
  locks: Locks;
  manifests: Map<string, ManifestRecord>;
  tags: Map<string, TagRecord>;
  /** Deleted tags and manifests, so a `last` cursor naming one still pages on from where it was. */
  deletedTags: Map<string, TagRecord>;
  deletedManifests: Map<string, ManifestRecord>;
}

export type Order = 'timedesc' | 'timeasc' | 'none';

const toDate = (value: Date | string | undefined, fallback: Date) =>
  value === undefined ? fallback : new Date(value);

const locksOf = (seed: AcrLocks, base?: Locks): Locks => ({
  deleteEnabled: seed.deleteEnabled ?? base?.deleteEnabled ?? true,
  writeEnabled: seed.writeEnabled ?? base?.writeEnabled ?? true,
  listEnabled: seed.listEnabled ?? base?.listEnabled ?? true,
  readEnabled: seed.readEnabled ?? base?.readEnabled ?? true,
});

export function seedRepositories(target: Map<string, RepositoryRecord>, seed: FakeAcrSeed): void {
  for (const [name, repoSeed] of Object.entries(seed.repositories)) {
    const created = toDate(repoSeed.createdOn, new Date('2024-01-01T00:00:00Z'));
    const repo = target.get(name) ?? {
      name,
      createdOn: created,
      lastUpdatedOn: created,
      locks: locksOf(repoSeed),
      manifests: new Map(),
      tags: new Map(),
      deletedTags: new Map(),
      deletedManifests: new Map(),
    };
    target.set(name, repo);
    for (const manifestSeed of repoSeed.manifests) {
      const manifest = manifestRecord(manifestSeed, repo);
      repo.manifests.set(manifest.digest, manifest);
      for (const tagSeed of manifestSeed.tags ?? []) {
        const tag: FakeAcrTagSeed = typeof tagSeed === 'string' ? { name: tagSeed } : tagSeed;
        repo.tags.set(tag.name, {
          name: tag.name,
          digest: manifest.digest,
          createdOn: toDate(tag.createdOn, manifest.createdOn),
          lastUpdatedOn: toDate(tag.lastUpdatedOn, manifest.lastUpdatedOn),
          locks: locksOf(tag),
        });
      }
      if (manifest.lastUpdatedOn > repo.lastUpdatedOn) repo.lastUpdatedOn = manifest.lastUpdatedOn;
    }
  }
}

function manifestRecord(seed: FakeAcrManifestSeed, repo: RepositoryRecord): ManifestRecord {
  const createdOn = toDate(seed.createdOn, new Date('2024-01-01T00:00:00Z'));
  const references = (seed.references ?? []).map((ref) => {
    if (typeof ref !== 'string') return ref;
    const child = repo.manifests.get(ref);
    return {
      digest: ref,
      ...(child?.architecture ? { architecture: child.architecture } : {}),
      ...(child?.os ? { os: child.os } : {}),
    };
  });
  const mediaType = seed.mediaType ?? (references.length > 0 ? acrMediaTypes.index : acrMediaTypes.manifest);
  const record: ManifestRecord = {
    digest: seed.digest,
    createdOn,
    lastUpdatedOn: toDate(seed.lastUpdatedOn, createdOn),
    locks: locksOf(seed),
    mediaType,
    references,
    imageSize: seed.imageSize ?? 0,
    content: seed.content ?? '',
  };
  for (const key of ['subject', 'artifactType', 'architecture', 'os', 'annotations'] as const) {
    if (seed[key] !== undefined) Object.assign(record, { [key]: seed[key] });
  }
  if (!seed.content) record.content = synthesizedContent(record, repo);
  return record;
}

/** Manifest bytes for a seed given without `content` (its digest is the seed's, not this text's hash). */
function synthesizedContent(record: ManifestRecord, repo: RepositoryRecord): string {
  const describe = (digest: string) => {
    const child = repo.manifests.get(digest);
    return {
      mediaType: child?.mediaType ?? acrMediaTypes.manifest,
      digest,
      size: child?.content.length ?? 0,
    };
  };
  if (record.mediaType === acrMediaTypes.index || record.references.length > 0) {
    return JSON.stringify({
      schemaVersion: 2,
      mediaType: record.mediaType,
      manifests: record.references.map(({ digest, architecture, os }) => ({
        ...describe(digest),
        ...(architecture && os ? { platform: { architecture, os } } : {}),
      })),
    });
  }
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: record.mediaType,
    ...(record.artifactType ? { artifactType: record.artifactType } : {}),
    config: { mediaType: acrMediaTypes.config, digest: record.digest, size: 0 },
    layers: [],
    ...(record.subject ? { subject: describe(record.subject) } : {}),
    ...(record.annotations ? { annotations: record.annotations } : {}),
  });
}

const changeable = (locks: Locks) => ({ ...locks });

export function tagJson(tag: TagRecord) {
  return {
    name: tag.name,
    digest: tag.digest,
    createdTime: tag.createdOn.toISOString(),
    lastUpdateTime: tag.lastUpdatedOn.toISOString(),
    signed: false,
    changeableAttributes: changeable(tag.locks),
  };
}

export function manifestJson(repo: RepositoryRecord, manifest: ManifestRecord) {
  const tags = [...repo.tags.values()].filter((t) => t.digest === manifest.digest).map((t) => t.name);
  return {
    digest: manifest.digest,
    imageSize: manifest.imageSize,
    createdTime: manifest.createdOn.toISOString(),
    lastUpdateTime: manifest.lastUpdatedOn.toISOString(),
    ...(manifest.architecture ? { architecture: manifest.architecture } : {}),
    ...(manifest.os ? { os: manifest.os } : {}),
    mediaType: manifest.mediaType,
    ...(manifest.artifactType ? { artifactType: manifest.artifactType } : {}),
    ...(manifest.references.length > 0 ? { references: manifest.references } : {}),
    ...(tags.length > 0 ? { tags: tags.sort() } : {}),
    changeableAttributes: changeable(manifest.locks),
  };
}

export function repositoryJson(loginServer: string, repo: RepositoryRecord) {
  return {
    registry: loginServer,
    imageName: repo.name,
    createdTime: repo.createdOn.toISOString(),
    lastUpdateTime: repo.lastUpdatedOn.toISOString(),
    manifestCount: repo.manifests.size,
    tagCount: repo.tags.size,
    changeableAttributes: changeable(repo.locks),
  };
}

/** Sorts records ACR's way (`timedesc`/`timeasc` by last update, else by key) and pages after `last`. */
export function page<T extends { lastUpdatedOn: Date }>(
  items: T[],
  keyOf: (item: T) => string,
  options: { order: Order; n: number; last?: string | undefined; lastItem?: T | undefined },
): { items: T[]; more: boolean } {
  const compare = (a: T, b: T) => {
    const byTime = a.lastUpdatedOn.getTime() - b.lastUpdatedOn.getTime();
    const byKey = keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0;
    if (options.order === 'timedesc') return -byTime || byKey;
    if (options.order === 'timeasc') return byTime || byKey;
    return byKey;
  };
  const sorted = [...items].sort(compare);
  let start = 0;
  if (options.last !== undefined) {
    const anchor = options.lastItem ?? items.find((item) => keyOf(item) === options.last);
    start = anchor
      ? sorted.filter((item) => compare(item, anchor) <= 0).length
      : sorted.filter((item) => keyOf(item) <= (options.last ?? '')).length;
  }
  const slice = sorted.slice(start, start + options.n);
  return { items: slice, more: start + options.n < sorted.length };
}

export function applyLocks(locks: Locks, body: unknown): void {
  if (typeof body !== 'object' || body === null) return;
  for (const key of ['deleteEnabled', 'writeEnabled', 'listEnabled', 'readEnabled'] as const) {
    const value = (body as Record<string, unknown>)[key];
    if (typeof value === 'boolean') locks[key] = value;
  }
}

export const locked = (locks: Locks) => !locks.deleteEnabled || !locks.writeEnabled;
