import type { DeployTargetOf } from '../../domain/config/deploy-targets-schema';
import { buildDeployRequest } from '../../domain/deploy/build-deploy-request';
import { authorizationHeader } from '../../domain/deploy/deploy-auth';
import type { DeployInput } from '../../domain/deploy/deploy-http-request';
import type { DeployReport } from '../../domain/deploy/deploy-notifications';
import type { DeployTrigger } from '../../domain/deploy/deploy-ports';
import { parseRunDetails, pickDispatchedRun, workflowRunsRequest } from '../../domain/deploy/github-requests';
import { RefusedError } from '../../domain/errors';
import { requireSetting, sendDeployRequest, targetPath, type SendOptions } from './send-deploy-request';
import type { TriggerDeps } from './trigger-deps';

type Workflow = DeployTargetOf<'github-workflow'>;
type Dispatch = DeployTargetOf<'github-dispatch'>;

/**
 * `github-workflow`: `workflow_dispatch` asking for the run's details (200 with its URL). A GitHub
 * that does not know `return_run_details` (GitHub Enterprise Server before the 2026 API) refuses it
 * with 422 without running anything: sent again without it, the 204 run is looked up in the workflow's
 * runs for a few seconds, and when it cannot be found the deployment is reported without a link.
 */
export function githubWorkflowTrigger(deps: TriggerDeps): DeployTrigger<Workflow> {
  return {
    async trigger(target, input) {
      const options = githubOptions(deps, target, input, 'Actions: read and write (classic: repo)');
      const since = deps.clock();
      const dispatch = (returnRunDetails: boolean) =>
        sendDeployRequest(
          deps.http,
          buildDeployRequest(target, input, { now: deps.clock(), returnRunDetails }),
          options,
        );
      let response;
      try {
        response = await dispatch(true);
      } catch (error) {
        if (!(
          error instanceof RefusedError &&
          error.status === 422 &&
          /return_run_details/.test(error.message)
        ))
          throw error;
        deps.log.info(
          `${options.service}: this GitHub does not take return_run_details; dispatching without it`,
        );
        response = await dispatch(false);
      }
      const run = response.status === 200 ? parseRunDetails(response.json()) : undefined;
      if (run) return { report: { runUrl: run.htmlUrl } };
      return { report: {}, follow: () => findRun(deps, target, since, options) };
    },
  };
}

/** `github-dispatch`: `repository_dispatch`; GitHub answers 204 and names no run. */
export function githubDispatchTrigger(deps: TriggerDeps): DeployTrigger<Dispatch> {
  return {
    async trigger(target, input) {
      const options = githubOptions(deps, target, input, 'Contents: read and write (classic: repo)');
      await sendDeployRequest(deps.http, buildDeployRequest(target, input, { now: deps.clock() }), options);
      return { report: {} };
    },
  };
}

function githubOptions(
  deps: TriggerDeps,
  target: Workflow | Dispatch,
  input: DeployInput,
  permission: string,
): SendOptions {
  const where = targetPath(input.target);
  const token = requireSetting(
    deps.setting,
    target.tokenFrom,
    `${where}.tokenFrom`,
    `a GitHub token with ${permission} on ${target.repo}`,
  );
  return {
    service: `GitHub (${where})`,
    auth: authorizationHeader(target, token),
    secrets: [token],
    hint: (status) => {
      if (status === 401) return `the token in ${target.tokenFrom} was rejected; renew it`;
      if (status === 403) return `the token in ${target.tokenFrom} needs ${permission} on ${target.repo}`;
      if (status === 404)
        return `${target.repo}${target.type === 'github-workflow' ? ` or its workflow ${target.workflow}` : ''} was not found, or the token in ${target.tokenFrom} cannot see it`;
      return undefined;
    },
  };
}

/** The run a 204 dispatch started, from the workflow's runs, within a few seconds; `{}` when not found. */
async function findRun(
  deps: TriggerDeps,
  target: Workflow,
  since: Date,
  options: SendOptions,
): Promise<DeployReport> {
  const { attempts, delayMs } = deps.runLookup ?? { attempts: 3, delayMs: 1_000 };
  for (let attempt = 1; attempt <= attempts; attempt++) {
    // GitHub creates the run a moment after it answered the dispatch.
    await deps.sleep(delayMs * attempt);
    try {
      const response = await sendDeployRequest(deps.http, workflowRunsRequest(target, since), {
        ...options,
        timeoutMs: 5_000,
      });
      const run = pickDispatchedRun(response.json(), { since, ref: target.ref });
      if (run) return { runUrl: run.htmlUrl };
    } catch (error) {
      deps.log.info(`${options.service}: could not list the workflow's runs: ${(error as Error).message}`);
      if (error instanceof RefusedError) break;
    }
  }
  deps.log.info(
    `${options.service}: dispatched; the run it started was not found, so it is reported without a link`,
  );
  return {};
}
