import type { DeployTarget } from '../config/deploy-targets-schema';
import { argocdRequest } from './argocd-request';
import { azurePipelinesRequest } from './azure-pipelines-request';
import type { DeployHttpRequest, DeployInput, DeployRequestExtra } from './deploy-http-request';
import { githubDispatchRequest, githubWorkflowRequest } from './github-requests';
import { webhookRequest } from './webhook-request';

/** Targets triggered by one HTTP request; `container-app` goes through ARM (see container-app-image.ts). */
export type HttpDeployTarget = Exclude<DeployTarget, { type: 'container-app' }>;

export function isHttpDeployTarget(target: DeployTarget): target is HttpDeployTarget {
  return target.type !== 'container-app';
}

/**
 * The exact request that triggers `target` for `input` (method, URL, headers without secrets, body),
 * following each API's documented contract.
 * @throws ConfigError when a rendered value breaks the API's limit or a `urlFrom` URL is missing.
 */
export function buildDeployRequest(
  target: HttpDeployTarget,
  input: DeployInput,
  extra: DeployRequestExtra,
): DeployHttpRequest {
  switch (target.type) {
    case 'github-workflow':
      return githubWorkflowRequest(target, input, extra);
    case 'github-dispatch':
      return githubDispatchRequest(target, input);
    case 'azure-pipelines':
      return azurePipelinesRequest(target, input);
    case 'argocd':
      return argocdRequest(target);
    case 'webhook':
      return webhookRequest(target, input, extra);
  }
}
