import { createHash } from 'node:crypto';
import type { OutboundResponse } from '../http/outbound-client';
import type { OciClient, OciRequest } from './oci-client';

/** Every manifest type the distribution API serves; distribution 2.8 hides OCI manifests without theirs. */
const manifestAccept = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

const indexTypes = new Set([
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
]);
/** Config types whose JSON carries the image's `created`. */
const imageConfigTypes = new Set([
  'application/vnd.oci.image.config.v1+json',
  'application/vnd.docker.container.image.v1+json',
]);

export const createdAnnotation = 'org.opencontainers.image.created';

interface Descriptor {
  mediaType?: string;
  digest?: string;
  size?: number;
  artifactType?: string;
}

/** A manifest as fetched: its digest, type, bytes and the fields retention reads. */
export interface FetchedManifest {
  digest: string;
  mediaType: string | undefined;
  bytes: number;
  isIndex: boolean;
  /** Index: its entries. */
  manifests: Descriptor[];
  config?: Descriptor;
  layers: Descriptor[];
  subject?: string;
  artifactType?: string;
  annotations: Record<string, string>;
}

/** The token scope of every read in a repository. */
export function pullScope(repository: string): string {
  return `repository:${repository}:pull`;
}

/** A read of `/v2/<repo>/<path>` (`manifests/…`, `blobs/…`); undefined on 404 (gone, or never there). */
async function pull(
  client: OciClient,
  repository: string,
  path: string,
  options: Pick<OciRequest, 'headers' | 'maxBodyBytes'> & { method?: 'GET' | 'HEAD' } = {},
): Promise<OutboundResponse | undefined> {
  const response = await client.send({
    method: 'GET',
    ...options,
    path: `/v2/${repository}/${path}`,
    scope: pullScope(repository),
    accept: [404],
  });
  return response.status === 404 ? undefined : response;
}

/** `GET` (or `HEAD`) `/v2/<repo>/manifests/<ref>` with the full Accept list; undefined on 404. */
export function requestManifest(
  client: OciClient,
  repository: string,
  reference: string,
  method: 'GET' | 'HEAD' = 'GET',
): Promise<OutboundResponse | undefined> {
  return pull(client, repository, `manifests/${reference}`, { method, headers: { accept: manifestAccept } });
}

/** The manifest `reference` names, as retention reads it; undefined on 404. */
export async function fetchManifest(
  client: OciClient,
  repository: string,
  reference: string,
): Promise<FetchedManifest | undefined> {
  const response = await requestManifest(client, repository, reference);
  if (!response) return undefined;
  const body = (response.json() ?? {}) as {
    mediaType?: string;
    manifests?: Descriptor[];
    config?: Descriptor;
    layers?: Descriptor[];
    subject?: Descriptor;
    artifactType?: string;
    annotations?: Record<string, string>;
  };
  const mediaType = response.headers.get('content-type')?.split(';')[0]?.trim() || body.mediaType;
  const digest =
    response.headers.get('docker-content-digest') ??
    (reference.includes(':')
      ? reference
      : `sha256:${createHash('sha256').update(response.text, 'utf8').digest('hex')}`);
  const isIndex = (mediaType !== undefined && indexTypes.has(mediaType)) || Array.isArray(body.manifests);
  return {
    digest,
    mediaType,
    bytes: Buffer.byteLength(response.text, 'utf8'),
    isIndex,
    manifests: Array.isArray(body.manifests) ? body.manifests : [],
    ...(body.config ? { config: body.config } : {}),
    layers: Array.isArray(body.layers) ? body.layers : [],
    ...(typeof body.subject?.digest === 'string' ? { subject: body.subject.digest } : {}),
    ...(typeof body.artifactType === 'string' ? { artifactType: body.artifactType } : {}),
    annotations: body.annotations ?? {},
  };
}

/** Whether the manifest's config is an image config (so it has a `created` worth reading). */
export function hasImageConfig(manifest: FetchedManifest): manifest is FetchedManifest & {
  config: Descriptor & { digest: string };
} {
  return (
    typeof manifest.config?.digest === 'string' &&
    manifest.config.mediaType !== undefined &&
    imageConfigTypes.has(manifest.config.mediaType)
  );
}

/** The image config's `created`, or undefined when it has none or cannot be read here. */
export async function fetchConfigCreated(
  client: OciClient,
  repository: string,
  digest: string,
): Promise<Date | undefined> {
  const response = await pull(client, repository, `blobs/${digest}`, { maxBodyBytes: 1024 * 1024 });
  return dateOf((response?.json() as { created?: unknown } | undefined)?.created);
}

/** Image manifest bytes plus its config and layers: what deleting it can free (shared layers included). */
export function sizeOf(manifest: FetchedManifest): number {
  if (manifest.isIndex) return manifest.bytes;
  const sizes = [manifest.config, ...manifest.layers].map((d) => (typeof d?.size === 'number' ? d.size : 0));
  return sizes.reduce((sum, size) => sum + size, manifest.bytes);
}

export function dateOf(value: unknown): Date | undefined {
  if (typeof value !== 'string') return undefined;
  const date = new Date(value);
  return Number.isFinite(date.getTime()) ? date : undefined;
}

/** All pages of a `Link`-paged list (`rel="next"`), read with `read`. */
export async function readPages<T>(
  client: OciClient,
  first: string,
  scope: string,
  read: (body: unknown) => T[],
  options: { notFound?: T[] } = {},
): Promise<T[]> {
  const items: T[] = [];
  let next: string | undefined = first;
  for (let page = 0; next !== undefined && page < 10_000; page++) {
    const response = await client.send({
      method: 'GET',
      path: next,
      scope,
      ...(options.notFound ? { accept: [404] } : {}),
    });
    if (response.status === 404) return options.notFound ?? [];
    items.push(...read(response.json()));
    const link = /<([^>]+)>\s*;\s*rel="?next"?/i.exec(response.headers.get('link') ?? '')?.[1];
    next = link === undefined ? undefined : new URL(link, client.baseUrl).toString();
  }
  return items;
}
