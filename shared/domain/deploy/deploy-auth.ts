import { azureDevOpsResourceId, type DeployTarget } from '../config/deploy-targets-schema';

/** Scope to request an Entra token for Azure DevOps with (`auth: entra`, DefaultAzureCredential). */
export const azureDevOpsScope = `${azureDevOpsResourceId}/.default`;

/**
 * How a target's token travels in `authorization`: Basic (empty user) for an Azure DevOps PAT, bearer
 * for GitHub, Argo CD and Entra tokens (Azure DevOps, Resource Manager). Webhooks are signed instead
 * and get none.
 */
export function authorizationScheme(target: DeployTarget): 'Basic' | 'Bearer' | undefined {
  switch (target.type) {
    case 'azure-pipelines':
      return target.auth === 'pat' ? 'Basic' : 'Bearer';
    case 'github-workflow':
    case 'github-dispatch':
    case 'argocd':
    case 'container-app':
      return 'Bearer';
    case 'webhook':
      return undefined;
  }
}

/**
 * The `authorization` header for a token-authenticated target, for the adapter to add to a
 * `DeployHttpRequest` (never part of it, so dry runs and logs cannot show it); `{}` for a webhook.
 */
export function authorizationHeader(target: DeployTarget, token: string): Record<string, string> {
  const scheme = authorizationScheme(target);
  if (scheme === undefined) return {};
  const credential = scheme === 'Basic' ? Buffer.from(`:${token}`, 'utf8').toString('base64') : token;
  return { authorization: `${scheme} ${credential}` };
}
