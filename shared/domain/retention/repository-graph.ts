import type { InventoryManifest, InventoryRepository, InventoryTag } from './inventory';
import type { RetentionDecision } from './retention-plan';
import { timeOf } from './time-of';
import { referrersTagFor } from './referrers-tag';

/** A tag while it is being planned. */
export interface TagNode {
  name: string;
  digest: string;
  locked: boolean;
  /** Last push of the tag, else of its manifest; undefined: unknown age. */
  time: number | undefined;
  /** Set for a referrers-schema tag (`sha256-<hex>`) whose subject is in the repository: it follows it. */
  referrerOf?: ManifestNode;
  decision?: RetentionDecision;
  reason?: string;
}

/** A manifest while it is being planned, with its links to the other manifests of the repository. */
export interface ManifestNode {
  digest: string;
  manifest: InventoryManifest | undefined;
  locked: boolean;
  time: number | undefined;
  tags: TagNode[];
  /** Indexes that list this manifest. */
  parents: readonly ManifestNode[];
  /** What this manifest refers to: its `subject`, or the subject of its referrers tag. */
  subjects: readonly ManifestNode[];
  /** Children and referrers: found only through this manifest. */
  dependents: readonly ManifestNode[];
  decision?: RetentionDecision;
  reason?: string;
}

export interface RepositoryGraph {
  tags: TagNode[];
  manifests: ManifestNode[];
  byDigest: ReadonlyMap<string, ManifestNode>;
}

/** Most manifests have no links: they share this array until they get one (less garbage at 100k). */
const none: readonly ManifestNode[] = Object.freeze([]);

/** `sha256-<64 hex>`: could be a referrers tag (a truncated sha512 is 64 hex characters too). */
const referrersTagShape = /^[a-z0-9]+-[0-9a-f]{64}$/;

/**
 * Links a repository's tags and manifests: each tag to its manifest (a tag whose digest is not among
 * the listed manifests gets one, and a tag only the manifest lists gets a tag), each index to its
 * children, each referrer to its subject. Linear in tags, manifests and links.
 */
export function buildRepositoryGraph(repository: InventoryRepository): RepositoryGraph {
  const byDigest = new Map<string, ManifestNode>();
  const nodeFor = (digest: string, manifest?: InventoryManifest): ManifestNode => {
    let node = byDigest.get(digest);
    if (!node) {
      node = {
        digest,
        manifest,
        locked: manifest?.locked === true,
        time: manifest ? timeOf(manifest.lastUpdated, manifest.created) : undefined,
        tags: [],
        parents: none,
        subjects: none,
        dependents: none,
      };
      byDigest.set(digest, node);
    }
    return node;
  };
  for (const manifest of repository.manifests) nodeFor(manifest.digest, manifest);

  const tags: TagNode[] = [];
  const seenTags = new Set<string>();
  const addTag = (tag: InventoryTag) => {
    if (seenTags.has(tag.name)) return;
    seenTags.add(tag.name);
    const node = nodeFor(tag.digest);
    const tagNode: TagNode = {
      name: tag.name,
      digest: tag.digest,
      locked: tag.locked === true,
      time: timeOf(tag.lastUpdated) ?? node.time,
    };
    node.tags.push(tagNode);
    tags.push(tagNode);
  };
  for (const tag of repository.tags) addTag(tag);
  for (const manifest of repository.manifests)
    for (const name of manifest.tags) addTag({ name, digest: manifest.digest });

  const manifests = [...byDigest.values()];
  const link = (from: ManifestNode, to: ManifestNode, kind: 'parents' | 'subjects') => {
    if (from === to) return;
    to[kind] = append(to[kind], from);
    from.dependents = append(from.dependents, to);
  };
  for (const node of manifests) {
    const children = node.manifest?.children ?? [];
    for (const child of children.length > 1 ? new Set(children) : children) {
      const childNode = byDigest.get(child);
      if (childNode) link(node, childNode, 'parents');
    }
    const subject = node.manifest?.subject === undefined ? undefined : byDigest.get(node.manifest.subject);
    if (subject) link(subject, node, 'subjects');
  }
  linkReferrersTags(tags, manifests, byDigest, link);
  return { tags, manifests, byDigest };
}

function linkReferrersTags(
  tags: readonly TagNode[],
  manifests: readonly ManifestNode[],
  byDigest: ReadonlyMap<string, ManifestNode>,
  link: (from: ManifestNode, to: ManifestNode, kind: 'subjects') => void,
): void {
  const candidates = tags.filter((tag) => referrersTagShape.test(tag.name));
  if (candidates.length === 0) return;
  const subjectByTag = new Map(manifests.map((node) => [referrersTagFor(node.digest), node]));
  for (const tag of candidates) {
    const subject = subjectByTag.get(tag.name);
    const node = byDigest.get(tag.digest);
    if (!subject || !node || subject === node) continue;
    tag.referrerOf = subject;
    if (!node.subjects.includes(subject)) link(subject, node, 'subjects');
  }
}

/** Adds to a link list, copying only the shared empty one (linear, however many links a node has). */
function append(list: readonly ManifestNode[], node: ManifestNode): readonly ManifestNode[] {
  if (list === none) return [node];
  (list as ManifestNode[]).push(node);
  return list;
}
