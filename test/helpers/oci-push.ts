import { gzipSync } from 'node:zlib';
import { getManifest, headManifest } from './oci-inspect';
import {
  mediaTypes,
  pushBlob,
  putManifest,
  referrersTag,
  registryFetch,
  sha256,
  type RegistryCredentials,
} from './oci-registry-client';

/** Pushes small valid OCI images, indexes and referrers with plain `fetch` (distribution API). */

export interface Platform {
  architecture: string;
  os: string;
  variant?: string;
}

export interface PushImageOptions {
  /** Tags to put the manifest under; none pushes it by digest (untagged). */
  tag?: string | string[];
  /** The image config's `created` (RFC 3339). Omitted from the config when not given. */
  created?: Date | string;
  /** Manifest annotations, e.g. `{ 'org.opencontainers.image.created': '2024-01-01T00:00:00Z' }`. */
  annotations?: Record<string, string>;
  /** Default linux/amd64. */
  platform?: Platform;
  /** Contents of the files in the layers (each becomes a one-file tar.gz); default one derived from the options. */
  layers?: (string | Uint8Array)[];
  auth?: RegistryCredentials;
}

export interface PushedManifest {
  digest: string;
  /** Manifest size in bytes. */
  size: number;
  mediaType: string;
}

export interface PushedImage extends PushedManifest {
  configDigest: string;
}

const tagsOf = (tag: string | string[] | undefined): string[] =>
  tag === undefined ? [] : Array.isArray(tag) ? tag : [tag];

const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value), 'utf8');

export async function pushImage(
  registryUrl: string,
  repository: string,
  options: PushImageOptions = {},
): Promise<PushedImage> {
  const tags = tagsOf(options.tag);
  const created = options.created instanceof Date ? options.created.toISOString() : options.created;
  const platform = options.platform ?? { architecture: 'amd64', os: 'linux' };
  const contents = options.layers ?? [
    `${repository} ${tags.join(',')} ${created ?? ''} ${platformName(platform)}`,
  ];
  const layers = [];
  const diffIds = [];
  for (const [index, content] of contents.entries()) {
    const tar = tarOneFile(`layer-${index}.txt`, Buffer.from(content));
    diffIds.push(sha256(tar));
    layers.push({
      mediaType: mediaTypes.layer,
      ...(await pushBlob(registryUrl, repository, gzipSync(tar), options.auth)),
    });
  }
  const config = json({
    ...(created === undefined ? {} : { created }),
    ...platform,
    config: {},
    rootfs: { type: 'layers', diff_ids: diffIds },
  });
  const configBlob = await pushBlob(registryUrl, repository, config, options.auth);
  const manifest = json({
    schemaVersion: 2,
    mediaType: mediaTypes.manifest,
    config: { mediaType: mediaTypes.config, ...configBlob },
    layers,
    ...(options.annotations ? { annotations: options.annotations } : {}),
  });
  const pushed = await putEverywhere(
    registryUrl,
    repository,
    tags,
    manifest,
    mediaTypes.manifest,
    options.auth,
  );
  return { ...pushed, configDigest: configBlob.digest };
}

export interface PushIndexOptions {
  tag?: string | string[];
  /** Digests of manifests already in the repository; their platform is read from their config. */
  manifests: string[];
  annotations?: Record<string, string>;
  auth?: RegistryCredentials;
}

/** A multi-arch OCI image index over manifests already pushed to the same repository. */
export async function pushIndex(
  registryUrl: string,
  repository: string,
  options: PushIndexOptions,
): Promise<PushedManifest> {
  const descriptors = [];
  for (const digest of options.manifests) {
    const child = await getManifest(registryUrl, repository, digest, options.auth);
    if (!child) throw new Error(`pushIndex: ${repository}@${digest} is not in the registry`);
    const configDigest = (child.json as { config?: { digest?: string } }).config?.digest;
    let platform: Platform | undefined;
    if (configDigest) {
      const config = (await (
        await fetchBlob(registryUrl, repository, configDigest, options.auth)
      ).json()) as Partial<Platform>;
      if (config.architecture && config.os) {
        platform = { architecture: config.architecture, os: config.os };
        if (config.variant) platform.variant = config.variant;
      }
    }
    descriptors.push({
      mediaType: child.mediaType,
      digest,
      size: child.size,
      ...(platform ? { platform } : {}),
    });
  }
  const index = json({
    schemaVersion: 2,
    mediaType: mediaTypes.index,
    manifests: descriptors,
    ...(options.annotations ? { annotations: options.annotations } : {}),
  });
  return putEverywhere(registryUrl, repository, tagsOf(options.tag), index, mediaTypes.index, options.auth);
}

export interface PushReferrerOptions {
  /** Digest of the manifest this artifact refers to (a signature, an SBOM…). */
  subject: string;
  /** e.g. `application/vnd.dev.cosign.artifact.sig.v1+json`, `application/spdx+json`. */
  artifactType: string;
  annotations?: Record<string, string>;
  /** The artifact's one blob; default a small JSON document. */
  content?: string | Uint8Array;
  tag?: string | string[];
  auth?: RegistryCredentials;
}

export interface PushedReferrer extends PushedManifest {
  /** True when the registry processed `subject` itself (`OCI-Subject`); else the fallback tag was updated. */
  registryTracksSubject: boolean;
  /** The `sha256-<hex>` tag whose index lists this referrer (when the registry has no referrers API). */
  fallbackTag: string;
}

/** An OCI 1.1 artifact manifest with `subject`, plus the referrers tag schema when the registry needs it. */
export async function pushReferrer(
  registryUrl: string,
  repository: string,
  options: PushReferrerOptions,
): Promise<PushedReferrer> {
  const subject = await headManifest(registryUrl, repository, options.subject, options.auth);
  if (!subject)
    throw new Error(`pushReferrer: subject ${repository}@${options.subject} is not in the registry`);
  const emptyConfig = await pushBlob(registryUrl, repository, Buffer.from('{}'), options.auth);
  const blob = await pushBlob(
    registryUrl,
    repository,
    Buffer.from(options.content ?? JSON.stringify({ subject: options.subject, type: options.artifactType })),
    options.auth,
  );
  const annotations = options.annotations ?? {};
  const manifest = json({
    schemaVersion: 2,
    mediaType: mediaTypes.manifest,
    artifactType: options.artifactType,
    config: { mediaType: mediaTypes.empty, ...emptyConfig },
    layers: [{ mediaType: options.artifactType, ...blob }],
    subject: { mediaType: subject.mediaType, digest: options.subject, size: subject.size },
    ...(options.annotations ? { annotations } : {}),
  });
  const digest = sha256(manifest);
  const response = await putManifest(
    registryUrl,
    repository,
    digest,
    manifest,
    mediaTypes.manifest,
    options.auth,
  );
  const registryTracksSubject = response.headers.get('oci-subject') === options.subject;
  for (const tag of tagsOf(options.tag)) {
    await putManifest(registryUrl, repository, tag, manifest, mediaTypes.manifest, options.auth);
  }
  const fallbackTag = referrersTag(options.subject);
  if (!registryTracksSubject) {
    const existing = await getManifest(registryUrl, repository, fallbackTag, options.auth);
    const previous = (existing?.json as { manifests?: { digest?: string }[] } | undefined)?.manifests ?? [];
    const entry = {
      mediaType: mediaTypes.manifest,
      digest,
      size: manifest.length,
      artifactType: options.artifactType,
      ...(options.annotations ? { annotations } : {}),
    };
    const index = json({
      schemaVersion: 2,
      mediaType: mediaTypes.index,
      manifests: [...previous.filter((item) => item.digest !== digest), entry],
    });
    await putManifest(registryUrl, repository, fallbackTag, index, mediaTypes.index, options.auth);
  }
  return {
    digest,
    size: manifest.length,
    mediaType: mediaTypes.manifest,
    registryTracksSubject,
    fallbackTag,
  };
}

async function putEverywhere(
  registryUrl: string,
  repository: string,
  tags: string[],
  bytes: Buffer,
  mediaType: string,
  auth: RegistryCredentials | undefined,
): Promise<PushedManifest> {
  for (const reference of tags.length > 0 ? tags : [sha256(bytes)]) {
    await putManifest(registryUrl, repository, reference, bytes, mediaType, auth);
  }
  return { digest: sha256(bytes), size: bytes.length, mediaType };
}

async function fetchBlob(
  registryUrl: string,
  repository: string,
  digest: string,
  auth?: RegistryCredentials,
) {
  let response = await registryFetch(`${registryUrl}/v2/${repository}/blobs/${digest}`, {}, auth);
  const location = response.headers.get('location');
  if (response.status >= 300 && response.status < 400 && location) {
    response = await fetch(new URL(location, registryUrl));
  }
  if (!response.ok) throw new Error(`blob ${digest}: HTTP ${response.status}`);
  return response;
}

const platformName = (platform: Platform) =>
  [platform.os, platform.architecture, platform.variant].filter(Boolean).join('/');

/** A ustar archive holding one regular file (mode 0644, mtime 0): a real, reproducible layer. */
function tarOneFile(name: string, content: Buffer): Buffer {
  const header = Buffer.alloc(512);
  const octal = (value: number, width: number) => `${value.toString(8).padStart(width - 1, '0')}\0`;
  header.write(name.slice(0, 100), 0, 'utf8');
  header.write(octal(0o644, 8), 100);
  header.write(octal(0, 8), 108);
  header.write(octal(0, 8), 116);
  header.write(octal(content.length, 12), 124);
  header.write(octal(0, 12), 136);
  header.write(' '.repeat(8), 148);
  header.write('0', 156);
  header.write('ustar\0', 257);
  header.write('00', 263);
  const checksum = header.reduce((sum, byte) => sum + byte, 0);
  header.write(`${checksum.toString(8).padStart(6, '0')}\0 `, 148);
  const padding = Buffer.alloc((512 - (content.length % 512)) % 512);
  return Buffer.concat([header, content, padding, Buffer.alloc(1024)]);
}
