import { azureDevOpsResourceId } from '../config/deploy-targets-schema';
import type { HttpDeployTarget } from './build-deploy-request';

/** Scope to request an Entra token for Azure DevOps with (`auth: entra`, DefaultAzureCredential). */
export const azureDevOpsScope = `${azureDevOpsResourceId}/.default`;

/**
 * The `authorization` header for a token-authenticated target, for the adapter to add to a
 * `DeployHttpRequest` (never part of it, so dry runs and logs cannot show it): bearer for GitHub,
 * Argo CD and Entra tokens, Basic with an empty user for an Azure DevOps PAT. Webhooks are signed
 * instead and get none.
 */
export function authorizationHeader(target: HttpDeployTarget, token: string): Record<string, string> {
  switch (target.type) {
    case 'azure-pipelines':
      return target.auth === 'pat'
        ? { authorization: `Basic ${Buffer.from(`:${token}`, 'utf8').toString('base64')}` }
        : { authorization: `Bearer ${token}` };
    case 'github-workflow':
    case 'github-dispatch':
    case 'argocd':
      return { authorization: `Bearer ${token}` };
    case 'webhook':
      return {};
  }
}
