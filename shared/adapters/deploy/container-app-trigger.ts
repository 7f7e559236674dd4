import type { DeployTargetOf } from '../../domain/config/deploy-targets-schema';
import {
  armScope,
  containerAppGetRequest,
  containerAppPortalUrl,
  parseContainerApp,
  planContainerAppUpdate,
} from '../../domain/deploy/container-app-requests';
import { authorizationHeader } from '../../domain/deploy/deploy-auth';
import type { DeployTrigger } from '../../domain/deploy/deploy-ports';
import { RefusedError } from '../../domain/errors';
import { followArmUpdate } from './follow-arm-update';
import { sendDeployRequest, targetPath, type SendOptions } from './send-deploy-request';
import type { TriggerDeps } from './trigger-deps';

type ContainerApp = DeployTargetOf<'container-app'>;

/** ARM answers 409 while another operation on the app runs; that one ends, so a retry goes through. */
const operationRunning = /in ?progress|another operation|being (updated|provisioned)/i;

/**
 * `container-app`: the ARM REST API through the outbound client with an Entra token (managed identity
 * or DefaultAzureCredential): GET the app, set the one container's image to `registry/repo@digest`,
 * PATCH `properties.template` with every container and init container, then follow the long-running
 * operation (`Azure-AsyncOperation`, else `Location`) and report the new revision. An app that already
 * runs the image is not patched.
 */
export function containerAppTrigger(deps: TriggerDeps): DeployTrigger<ContainerApp> {
  return {
    async trigger(target, input) {
      const where = targetPath(input.target);
      const token = await deps.tokens.token(armScope(target), target.clientId);
      const options: SendOptions = {
        service: `Azure Resource Manager (${where})`,
        auth: authorizationHeader(target, token),
        secrets: [token],
        hint: (status) => armHint(target, status),
      };
      const got = await sendDeployRequest(deps.http, containerAppGetRequest(target), options);
      const app = parseContainerApp(got.json());
      if (!app) {
        throw new RefusedError(
          `${options.service}: the answer to GET container app ${target.app} is not a container app`,
        );
      }
      const plan = planContainerAppUpdate(target, app, input.event, deps.clock());
      const runUrl = containerAppPortalUrl(target);
      if (!plan.request) {
        return {
          report: {
            ...(runUrl ? { runUrl } : {}),
            ...(app.latestRevisionName ? { revision: app.latestRevisionName } : {}),
            warning: `container "${plan.update.container}" already runs this image; nothing was changed`,
          },
        };
      }
      const patched = await sendDeployRequest(deps.http, plan.request, {
        ...options,
        accept: [200, 201, 202],
        busy: (refusal) => refusal.status === 409 && operationRunning.test(refusal.message),
      });
      return {
        report: runUrl ? { runUrl } : {},
        follow: () => followArmUpdate(deps, target, options, patched, app.latestRevisionName),
      };
    },
  };
}

/** What to fix for an ARM refusal: the role, the names, or the container. */
function armHint(target: ContainerApp, status: number): string | undefined {
  const identity = target.clientId ? `managed identity ${target.clientId}` : 'the app identity';
  if (status === 401) return `${identity} got no valid token for Azure Resource Manager`;
  if (status === 403)
    return (
      `${identity} needs Container Apps Contributor on container app ${target.app} ` +
      '(infra: the deployContainerAppIds parameter assigns it)'
    );
  if (status === 404)
    return `no container app ${target.app} in resource group ${target.resourceGroup} of subscription ${target.subscriptionId}`;
  return undefined;
}
