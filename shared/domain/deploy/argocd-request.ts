import type { DeployTargetOf } from '../config/deploy-targets-schema';
import { jsonHeaders, joinUrl, queryString, type DeployHttpRequest } from './deploy-http-request';

/**
 * Argo CD API with a bearer token (argoproj/argo-cd `server/application/application.proto`):
 * - `refresh`: `GET {server}/api/v1/applications/{name}?refresh=normal` (Get with a refresh asks the
 *   controller to compare with Git now instead of at the next poll), `appNamespace`/`project` as query;
 * - `sync`: `POST {server}/api/v1/applications/{name}/sync` (`body: "*"`, so `appNamespace`/`project`
 *   travel in the JSON body: grpc-gateway reads no query parameters for such methods).
 */
export function argocdRequest(target: DeployTargetOf<'argocd'>): DeployHttpRequest {
  const application = joinUrl(target.server, 'api', 'v1', 'applications', target.application);
  if (target.action === 'sync') {
    return {
      method: 'POST',
      url: `${application}/sync`,
      headers: { ...jsonHeaders },
      body: JSON.stringify({
        ...(target.appNamespace ? { appNamespace: target.appNamespace } : {}),
        ...(target.project ? { project: target.project } : {}),
      }),
    };
  }
  return {
    method: 'GET',
    url:
      application +
      queryString({ refresh: 'normal', appNamespace: target.appNamespace, project: target.project }),
    headers: { accept: jsonHeaders.accept },
  };
}

/** The Application's page in the Argo CD UI (`/applications/{namespace}/{name}` for apps in any namespace). */
export function argocdApplicationUrl(target: DeployTargetOf<'argocd'>): string {
  const path = target.appNamespace
    ? ['applications', target.appNamespace, target.application]
    : ['applications', target.application];
  return joinUrl(target.server, ...path);
}
