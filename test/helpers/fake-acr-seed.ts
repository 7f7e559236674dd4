import { createHash } from 'node:crypto';

/**
 * What a test seeds into the fake ACR server (fake-acr-server.ts), and builders that make manifests
 * whose digest is the sha256 of the manifest the server serves (so SDK clients that verify content,
 * like `ContainerRegistryContentClient.getManifest`, accept them).
 */

export interface AcrLocks {
  /** ACR `changeableAttributes`; all default true. `deleteEnabled: false` is a delete lock. */
  deleteEnabled?: boolean;
  writeEnabled?: boolean;
  listEnabled?: boolean;
  readEnabled?: boolean;
}

export interface FakeAcrTagSeed extends AcrLocks {
  name: string;
  /** Default: the manifest's times. */
  createdOn?: Date | string;
  lastUpdatedOn?: Date | string;
}

export interface FakeAcrManifestSeed extends AcrLocks {
  digest: string;
  tags?: (string | FakeAcrTagSeed)[];
  /** Default 2024-01-01T00:00:00Z. */
  createdOn?: Date | string;
  /** Default `createdOn`. */
  lastUpdatedOn?: Date | string;
  /** Default the OCI image manifest type (the OCI index type when `references` is given). */
  mediaType?: string;
  /** Children of an index (digests of manifests seeded in the same repository, or descriptors). */
  references?: (string | { digest: string; architecture?: string; os?: string })[];
  /** The manifest this one refers to (signature, SBOM…): it shows in that manifest's referrers. */
  subject?: string;
  artifactType?: string;
  architecture?: string;
  os?: string;
  imageSize?: number;
  annotations?: Record<string, string>;
  /** The exact bytes `GET /v2/<repo>/manifests/<ref>` serves; else synthesized (digest won't match). */
  content?: string;
}

export interface FakeAcrRepositorySeed extends AcrLocks {
  manifests: FakeAcrManifestSeed[];
  createdOn?: Date | string;
}

export interface FakeAcrSeed {
  repositories: Record<string, FakeAcrRepositorySeed>;
}

export const acrMediaTypes = {
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  index: 'application/vnd.oci.image.index.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  empty: 'application/vnd.oci.empty.v1+json',
  layer: 'application/vnd.oci.image.layer.v1.tar+gzip',
} as const;

const sha256 = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;
let counter = 0;

type ImageOptions = Omit<FakeAcrManifestSeed, 'digest' | 'content' | 'references' | 'subject' | 'mediaType'>;

/** An OCI image manifest (one fake layer); each call makes a distinct digest. */
export function acrImage(options: ImageOptions = {}): FakeAcrManifestSeed {
  const unique = `image ${++counter} ${JSON.stringify(options.tags ?? [])}`;
  const content = JSON.stringify({
    schemaVersion: 2,
    mediaType: acrMediaTypes.manifest,
    config: { mediaType: acrMediaTypes.config, digest: sha256(`config ${unique}`), size: 512 },
    layers: [{ mediaType: acrMediaTypes.layer, digest: sha256(`layer ${unique}`), size: 1024 }],
    ...(options.annotations ? { annotations: options.annotations } : {}),
  });
  return {
    architecture: 'amd64',
    os: 'linux',
    imageSize: 1024 + 512 + content.length,
    ...options,
    digest: sha256(content),
    mediaType: acrMediaTypes.manifest,
    content,
  };
}

/** An OCI image index over `children` (seed them in the same repository). */
export function acrIndex(
  children: FakeAcrManifestSeed[],
  options: Omit<ImageOptions, 'architecture' | 'os'> = {},
): FakeAcrManifestSeed {
  const content = JSON.stringify({
    schemaVersion: 2,
    mediaType: acrMediaTypes.index,
    manifests: children.map((child) => descriptor(child)),
    ...(options.annotations ? { annotations: options.annotations } : {}),
  });
  return {
    imageSize: content.length,
    ...options,
    digest: sha256(content),
    mediaType: acrMediaTypes.index,
    references: children.map((child) => ({
      digest: child.digest,
      ...(child.architecture ? { architecture: child.architecture } : {}),
      ...(child.os ? { os: child.os } : {}),
    })),
    content,
  };
}

/** An OCI 1.1 artifact (signature, SBOM…) whose `subject` is `subject`. */
export function acrReferrer(
  subject: FakeAcrManifestSeed,
  artifactType: string,
  options: Omit<ImageOptions, 'architecture' | 'os' | 'artifactType'> = {},
): FakeAcrManifestSeed {
  const content = JSON.stringify({
    schemaVersion: 2,
    mediaType: acrMediaTypes.manifest,
    artifactType,
    config: { mediaType: acrMediaTypes.empty, digest: sha256('{}'), size: 2 },
    layers: [{ mediaType: artifactType, digest: sha256(`artifact ${++counter}`), size: 64 }],
    subject: descriptor(subject, false),
    ...(options.annotations ? { annotations: options.annotations } : {}),
  });
  return {
    imageSize: content.length + 64,
    ...options,
    digest: sha256(content),
    mediaType: acrMediaTypes.manifest,
    subject: subject.digest,
    artifactType,
    content,
  };
}

/** The descriptor of a seeded manifest, as an index or a `subject` carries it. */
export function descriptor(seed: FakeAcrManifestSeed, withPlatform = true) {
  const platform =
    withPlatform && seed.architecture && seed.os
      ? { platform: { architecture: seed.architecture, os: seed.os } }
      : {};
  return {
    mediaType: seed.mediaType ?? acrMediaTypes.manifest,
    digest: seed.digest,
    size: seed.content?.length ?? 0,
    ...platform,
  };
}
