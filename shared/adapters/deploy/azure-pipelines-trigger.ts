import { z } from 'zod';
import type { DeployTargetOf } from '../../domain/config/deploy-targets-schema';
import { buildDeployRequest } from '../../domain/deploy/build-deploy-request';
import { authorizationHeader, azureDevOpsScope } from '../../domain/deploy/deploy-auth';
import type { DeployTrigger } from '../../domain/deploy/deploy-ports';
import { requireSetting, sendDeployRequest, targetPath } from './send-deploy-request';
import type { TriggerDeps } from './trigger-deps';

type Pipelines = DeployTargetOf<'azure-pipelines'>;

const runSchema = z.looseObject({
  _links: z.looseObject({ web: z.looseObject({ href: z.string() }).optional() }).optional(),
});

/**
 * `azure-pipelines`: Runs – Run Pipeline with a PAT (Basic, empty user) or an Entra token for Azure
 * DevOps (`499b84ac-…/.default`). Only 200/201 count: Azure DevOps answers a bad PAT with 203 and a
 * sign-in page, which must not pass for a started run. The run's page is `_links.web.href`.
 */
export function azurePipelinesTrigger(deps: TriggerDeps): DeployTrigger<Pipelines> {
  return {
    async trigger(target, input) {
      const where = targetPath(input.target);
      const token =
        target.auth === 'pat'
          ? requireSetting(
              deps.setting,
              target.tokenFrom ?? '',
              `${where}.tokenFrom`,
              `an Azure DevOps PAT with Build (Read & execute) in ${target.organization}`,
            )
          : await deps.tokens.token(azureDevOpsScope, target.clientId);
      const who =
        target.auth === 'pat' ? `the PAT in ${target.tokenFrom ?? '(tokenFrom)'}` : 'the app identity';
      const response = await sendDeployRequest(
        deps.http,
        buildDeployRequest(target, input, { now: deps.clock() }),
        {
          service: `Azure DevOps (${where})`,
          auth: authorizationHeader(target, token),
          secrets: [token],
          accept: [200, 201],
          hint: (status) => {
            if (status === 203 || status === 401)
              return target.auth === 'pat'
                ? `${who} was rejected (expired or revoked); renew it`
                : `${who} is not a user of the ${target.organization} organization; add it (Basic access)`;
            if (status === 403)
              return `${who} needs permission to queue builds of pipeline ${target.pipelineId} in ${target.project}`;
            if (status === 404)
              return `pipeline ${target.pipelineId} was not found in ${target.organization}/${target.project}, or ${who} cannot see it`;
            return undefined;
          },
        },
      );
      const run = runSchema.safeParse(response.json());
      const runUrl = run.success ? run.data._links?.web?.href : undefined;
      return { report: runUrl ? { runUrl } : {} };
    },
  };
}
