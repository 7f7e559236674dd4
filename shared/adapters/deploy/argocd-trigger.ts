import type { DeployTargetOf } from '../../domain/config/deploy-targets-schema';
import { argocdApplicationUrl } from '../../domain/deploy/argocd-request';
import { buildDeployRequest } from '../../domain/deploy/build-deploy-request';
import { authorizationHeader } from '../../domain/deploy/deploy-auth';
import type { DeployTrigger } from '../../domain/deploy/deploy-ports';
import { requireSetting, sendDeployRequest, targetPath } from './send-deploy-request';
import type { TriggerDeps } from './trigger-deps';

type ArgoCd = DeployTargetOf<'argocd'>;

/** Argo CD refuses a sync while another operation runs (FailedPrecondition); later it goes through. */
const operationRunning = /another operation is already in progress/i;

/**
 * `argocd`: refresh (GET with `?refresh=normal`) or sync the Application with a bearer token; the card
 * links the Application in the Argo CD UI. A 403 is final with Argo CD's own message ("permission
 * denied") and the RBAC it needs.
 */
export function argocdTrigger(deps: TriggerDeps): DeployTrigger<ArgoCd> {
  return {
    async trigger(target, input) {
      const where = targetPath(input.target);
      const token = requireSetting(
        deps.setting,
        target.tokenFrom,
        `${where}.tokenFrom`,
        `an Argo CD API token allowed to ${target.action === 'sync' ? 'sync' : 'get'} application ${target.application}`,
      );
      await sendDeployRequest(deps.http, buildDeployRequest(target, input, { now: deps.clock() }), {
        service: `Argo CD (${where})`,
        auth: authorizationHeader(target, token),
        secrets: [token],
        busy: (refusal) => operationRunning.test(refusal.message),
        hint: (status) => {
          if (status === 401) return `the token in ${target.tokenFrom} was rejected; create a new one`;
          if (status === 403)
            return (
              `the token in ${target.tokenFrom} needs the RBAC permission applications, ` +
              `${target.action === 'sync' ? 'sync' : 'get'} on ${target.project ?? '<project>'}/${target.application}`
            );
          if (status === 404) return `application ${target.application} was not found`;
          return undefined;
        },
      });
      return { report: { runUrl: argocdApplicationUrl(target) } };
    },
  };
}
