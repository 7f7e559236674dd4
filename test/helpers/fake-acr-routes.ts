import { acrMediaTypes } from './fake-acr-seed';
import {
  applyLocks,
  locked,
  manifestJson,
  page,
  repositoryJson,
  tagJson,
  type ManifestRecord,
  type Order,
  type RepositoryRecord,
} from './fake-acr-state';

/** The fake ACR server's routes: which token scope each needs, and what it answers. */

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  /** JSON-encoded unless a string. */
  body?: unknown;
}

export interface Route {
  /** The ACR token scope the request needs, e.g. `repository:app:metadata_read`. */
  scope: string;
  handle(): Reply;
}

export interface RouteContext {
  loginServer: string;
  repositories: Map<string, RepositoryRecord>;
  referrersPageSize: number;
}

const error = (status: number, code: string, message: string): Reply => ({
  status,
  body: { errors: [{ code, message, detail: null }] },
});
const denied = () =>
  error(405, 'DENIED', 'The operation is disallowed on this registry, repository or image.');
const nameUnknown = () => error(404, 'NAME_UNKNOWN', 'repository name not known to registry');
const manifestUnknown = () => error(404, 'MANIFEST_UNKNOWN', 'manifest unknown');

const orderOf = (value: string | null): Order =>
  value === 'timedesc' || value === 'timeasc' ? value : 'none';
const pageSize = (value: string | null) => (value && Number(value) > 0 ? Number(value) : 100);

export function route(
  method: string,
  path: string,
  query: URLSearchParams,
  body: unknown,
  ctx: RouteContext,
): Route | undefined {
  const repoScope = (name: string, action: string) => `repository:${name}:${action}`;
  let match: RegExpExecArray | null;
  if (path === '/acr/v1/_catalog' && method === 'GET') {
    return { scope: 'registry:catalog:*', handle: () => catalog(query, ctx) };
  }
  if ((match = /^\/acr\/v1\/(.+)\/_tags(?:\/([^/]+))?$/.exec(path))) {
    const [, name = '', tag] = match;
    const action = method === 'PATCH' ? 'metadata_write' : method === 'DELETE' ? 'delete' : 'metadata_read';
    return { scope: repoScope(name, action), handle: () => tags(method, name, tag, query, body, ctx) };
  }
  if ((match = /^\/acr\/v1\/(.+)\/_manifests(?:\/([^/]+))?$/.exec(path))) {
    const [, name = '', digest] = match;
    const action = method === 'PATCH' ? 'metadata_write' : 'metadata_read';
    return {
      scope: repoScope(name, action),
      handle: () => manifests(method, name, digest, query, body, ctx),
    };
  }
  if ((match = /^\/acr\/v1\/(.+)$/.exec(path))) {
    const [, name = ''] = match;
    const action = method === 'PATCH' ? 'metadata_write' : method === 'DELETE' ? 'delete' : 'metadata_read';
    return { scope: repoScope(name, action), handle: () => repository(method, name, body, ctx) };
  }
  if ((match = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(path))) {
    const [, name = '', reference = ''] = match;
    const action = method === 'DELETE' ? 'delete' : 'pull';
    return { scope: repoScope(name, action), handle: () => v2Manifest(method, name, reference, ctx) };
  }
  if ((match = /^\/v2\/(.+)\/referrers\/([^/]+)$/.exec(path)) && method === 'GET') {
    const [, name = '', digest = ''] = match;
    return { scope: repoScope(name, 'pull'), handle: () => referrers(name, digest, query, ctx) };
  }
  return undefined;
}

function link(path: string, params: Record<string, string | undefined>): string {
  const search = Object.entries(params)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([key, value]) => `${key}=${encodeURIComponent(value)}`)
    .join('&');
  return `<${path}?${search}>; rel="next"`;
}

function catalog(query: URLSearchParams, ctx: RouteContext): Reply {
  const names = [...ctx.repositories.keys()].sort();
  const last = query.get('last');
  const n = pageSize(query.get('n'));
  const after = last === null ? names : names.filter((name) => name > last);
  const items = after.slice(0, n);
  const headers: Record<string, string> = {};
  if (after.length > n) headers.link = link('/acr/v1/_catalog', { last: items.at(-1), n: String(n) });
  return { status: 200, headers, body: { repositories: items } };
}

function repository(method: string, name: string, body: unknown, ctx: RouteContext): Reply {
  const repo = ctx.repositories.get(name);
  if (!repo) return nameUnknown();
  if (method === 'PATCH') applyLocks(repo.locks, body);
  if (method === 'DELETE') {
    if (!repo.locks.deleteEnabled) return denied();
    ctx.repositories.delete(name);
    return {
      status: 202,
      body: { manifestsDeleted: [...repo.manifests.keys()], tagsDeleted: [...repo.tags.keys()] },
    };
  }
  if (method !== 'GET' && method !== 'PATCH')
    return error(405, 'UNSUPPORTED', 'The operation is unsupported.');
  return { status: 200, body: repositoryJson(ctx.loginServer, repo) };
}

function tags(
  method: string,
  name: string,
  tagName: string | undefined,
  query: URLSearchParams,
  body: unknown,
  ctx: RouteContext,
): Reply {
  const repo = ctx.repositories.get(name);
  if (!repo) return nameUnknown();
  const head = { registry: ctx.loginServer, imageName: name };
  if (tagName === undefined) {
    const digest = query.get('digest');
    const order = orderOf(query.get('orderby'));
    const n = pageSize(query.get('n'));
    const last = query.get('last') ?? undefined;
    const all = [...repo.tags.values()].filter((tag) => digest === null || tag.digest === digest);
    const lastItem = last === undefined ? undefined : (repo.tags.get(last) ?? repo.deletedTags.get(last));
    const result = page(all, (tag) => tag.name, { order, n, last, lastItem });
    const headers: Record<string, string> = {};
    if (result.more) {
      const params = { last: result.items.at(-1)?.name, n: String(n), orderby: query.get('orderby') ?? '' };
      headers.link = link(`/acr/v1/${encodeURIComponent(name)}/_tags`, {
        ...params,
        ...(digest === null ? {} : { digest }),
      });
    }
    return { status: 200, headers, body: { ...head, tags: result.items.map(tagJson) } };
  }
  const tag = repo.tags.get(tagName);
  if (!tag) return error(404, 'TAG_UNKNOWN', 'the specified tag does not exist');
  if (method === 'DELETE') {
    if (locked(tag.locks)) return denied();
    repo.tags.delete(tagName);
    repo.deletedTags.set(tagName, tag);
    return { status: 202, headers: { 'x-ms-int-docker-content-digest': tag.digest } };
  }
  if (method === 'PATCH') applyLocks(tag.locks, body);
  else if (method !== 'GET') return error(405, 'UNSUPPORTED', 'The operation is unsupported.');
  return { status: 200, body: { ...head, tag: tagJson(tag) } };
}

function manifests(
  method: string,
  name: string,
  digest: string | undefined,
  query: URLSearchParams,
  body: unknown,
  ctx: RouteContext,
): Reply {
  const repo = ctx.repositories.get(name);
  if (!repo) return nameUnknown();
  const head = { registry: ctx.loginServer, imageName: name };
  if (digest === undefined) {
    const order = orderOf(query.get('orderby'));
    const n = pageSize(query.get('n'));
    const last = query.get('last') ?? undefined;
    const lastItem =
      last === undefined ? undefined : (repo.manifests.get(last) ?? repo.deletedManifests.get(last));
    const result = page([...repo.manifests.values()], (m) => m.digest, { order, n, last, lastItem });
    const headers: Record<string, string> = {};
    if (result.more) {
      headers.link = link(`/acr/v1/${encodeURIComponent(name)}/_manifests`, {
        last: result.items.at(-1)?.digest,
        n: String(n),
        orderby: query.get('orderby') ?? '',
      });
    }
    return {
      status: 200,
      headers,
      body: { ...head, manifests: result.items.map((m) => manifestJson(repo, m)) },
    };
  }
  const manifest = resolve(repo, digest);
  if (!manifest) return manifestUnknown();
  if (method === 'PATCH') applyLocks(manifest.locks, body);
  else if (method !== 'GET') return error(405, 'UNSUPPORTED', 'The operation is unsupported.');
  return { status: 200, body: { ...head, manifest: manifestJson(repo, manifest) } };
}

function resolve(repo: RepositoryRecord, reference: string): ManifestRecord | undefined {
  const digest = reference.includes(':') ? reference : repo.tags.get(reference)?.digest;
  return digest === undefined ? undefined : repo.manifests.get(digest);
}

function v2Manifest(method: string, name: string, reference: string, ctx: RouteContext): Reply {
  const repo = ctx.repositories.get(name);
  if (!repo) return nameUnknown();
  if (method === 'DELETE') {
    if (!reference.includes(':'))
      return error(400, 'DIGEST_INVALID', 'a manifest can only be deleted by digest');
    const manifest = repo.manifests.get(reference);
    if (!manifest) return manifestUnknown();
    if (locked(manifest.locks)) return denied();
    deleteWithReferrers(repo, manifest);
    if (repo.manifests.size === 0) ctx.repositories.delete(name);
    return { status: 202 };
  }
  const manifest = resolve(repo, reference);
  if (!manifest) return manifestUnknown();
  if (method !== 'GET' && method !== 'HEAD')
    return error(405, 'UNSUPPORTED', 'The operation is unsupported.');
  return {
    status: 200,
    headers: { 'content-type': manifest.mediaType, 'docker-content-digest': manifest.digest },
    body: manifest.content,
  };
}

/** ACR deletes a manifest's tags with it, and removes its referrers server-side. */
function deleteWithReferrers(repo: RepositoryRecord, manifest: ManifestRecord): void {
  repo.manifests.delete(manifest.digest);
  repo.deletedManifests.set(manifest.digest, manifest);
  for (const tag of [...repo.tags.values()]) {
    if (tag.digest !== manifest.digest) continue;
    repo.tags.delete(tag.name);
    repo.deletedTags.set(tag.name, tag);
  }
  for (const other of [...repo.manifests.values()]) {
    if (other.subject === manifest.digest) deleteWithReferrers(repo, other);
  }
}

function referrers(name: string, digest: string, query: URLSearchParams, ctx: RouteContext): Reply {
  if (!/^[a-z0-9]+:[a-zA-Z0-9=_-]+$/.test(digest)) return error(400, 'DIGEST_INVALID', 'invalid digest');
  const repo = ctx.repositories.get(name);
  const artifactType = query.get('artifactType');
  const all = [...(repo?.manifests.values() ?? [])]
    .filter((m) => m.subject === digest && (artifactType === null || m.artifactType === artifactType))
    .sort((a, b) => (a.digest < b.digest ? -1 : 1));
  const last = query.get('last');
  const after = last === null ? all : all.filter((m) => m.digest > last);
  const items = after.slice(0, ctx.referrersPageSize);
  const headers: Record<string, string> = { 'content-type': acrMediaTypes.index };
  if (artifactType !== null) headers['oci-filters-applied'] = 'artifactType';
  if (after.length > items.length) {
    headers.link = link(`/v2/${name}/referrers/${digest}`, {
      last: items.at(-1)?.digest,
      ...(artifactType === null ? {} : { artifactType }),
    });
  }
  const manifests = items.map((m) => ({
    mediaType: m.mediaType,
    digest: m.digest,
    size: m.content.length,
    ...(m.artifactType ? { artifactType: m.artifactType } : {}),
    ...(m.annotations ? { annotations: m.annotations } : {}),
  }));
  return {
    status: 200,
    headers,
    body: JSON.stringify({ schemaVersion: 2, mediaType: acrMediaTypes.index, manifests }),
  };
}
