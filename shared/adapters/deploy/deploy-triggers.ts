import type { DeployTriggers } from '../../domain/deploy/deploy-ports';
import { argocdTrigger } from './argocd-trigger';
import { azurePipelinesTrigger } from './azure-pipelines-trigger';
import { containerAppTrigger } from './container-app-trigger';
import { githubDispatchTrigger, githubWorkflowTrigger } from './github-triggers';
import type { TriggerDeps } from './trigger-deps';
import { webhookTrigger } from './webhook-trigger';

export type { TriggerDeps } from './trigger-deps';

/** One trigger per target type, sharing the outbound client, the app settings and the token source. */
export function createDeployTriggers(deps: TriggerDeps): DeployTriggers {
  return {
    'github-workflow': githubWorkflowTrigger(deps),
    'github-dispatch': githubDispatchTrigger(deps),
    'azure-pipelines': azurePipelinesTrigger(deps),
    argocd: argocdTrigger(deps),
    'container-app': containerAppTrigger(deps),
    webhook: webhookTrigger(deps),
  };
}
