import type { DeployTargetOf } from '../../domain/config/deploy-targets-schema';
import {
  containerAppGetRequest,
  parseArmOperation,
  parseContainerApp,
  type ArmOperationState,
} from '../../domain/deploy/container-app-requests';
import { jsonHeaders } from '../../domain/deploy/deploy-http-request';
import type { DeployReport } from '../../domain/deploy/deploy-notifications';
import { RefusedError } from '../../domain/errors';
import type { OutboundResponse } from '../http/outbound-client';
import { retryAfterFrom } from '../http/retry-after';
import { sendDeployRequest, type SendOptions } from './send-deploy-request';
import type { TriggerDeps } from './trigger-deps';

type ContainerApp = DeployTargetOf<'container-app'>;

const maxPollMs = 30_000;

/**
 * Follows a Container Apps update to its end (Learn: azure-resource-manager/management/async-operations):
 * polls `Azure-AsyncOperation` (`{ status }`) when the PATCH answered with one, else `Location` (202
 * while running), else the app's own `provisioningState`, honouring `Retry-After`; then reads the app
 * for `latestRevisionName`. An operation that ends `Failed` or `Canceled` is a RefusedError with ARM's
 * error (the card shows it). Anything else that goes wrong while following — a poll refused (an
 * identity scoped to the app may not read the operation: it then watches the app instead), an outage,
 * the time limit — only adds a warning: the update was accepted.
 */
export async function followArmUpdate(
  deps: TriggerDeps,
  target: ContainerApp,
  options: SendOptions,
  patched: OutboundResponse,
  previousRevision: string | undefined,
): Promise<DeployReport> {
  const { timeoutMs, pollMs } = deps.armFollow ?? { timeoutMs: 600_000, pollMs: 5_000 };
  const deadline = deps.clock().getTime() + timeoutMs;
  const get = (url: string, accept?: readonly number[]) =>
    sendDeployRequest(
      deps.http,
      { method: 'GET', url, headers: { accept: jsonHeaders.accept } },
      {
        ...options,
        ...(accept ? { accept } : {}),
        timeoutMs: 15_000,
      },
    );
  const pause = async (response: OutboundResponse | undefined) => {
    const asked = response ? retryAfterFrom(response.headers, deps.clock()) : undefined;
    await deps.sleep(Math.min(maxPollMs, Math.max(0, asked ?? pollMs)));
  };

  let operation = patched.headers.get('azure-asyncoperation') ?? undefined;
  let location = patched.headers.get('location') ?? undefined;
  const body = patched.json();
  let state: ArmOperationState =
    patched.status === 200 || patched.status === 201 ? parseArmOperation(body) : { state: 'running' };
  if (patched.status === 200 && !parseContainerApp(body)?.provisioningState) state = { state: 'succeeded' };
  let last: OutboundResponse | undefined = patched;

  try {
    while (state.state === 'running') {
      if (deps.clock().getTime() >= deadline) {
        return {
          warning: `the update was still running after ${Math.round(timeoutMs / 60_000)} min; check the app's revisions`,
        };
      }
      await pause(last);
      try {
        if (operation) {
          last = await get(operation);
          state = parseArmOperation(last.json());
        } else if (location) {
          last = await get(location, [200, 201, 202, 204]);
          state = last.status === 202 ? { state: 'running' } : { state: 'succeeded' };
        } else {
          last = await get(containerAppGetRequest(target).url);
          state = parseArmOperation(last.json());
        }
      } catch (error) {
        if (!(error instanceof RefusedError) || (!operation && !location)) throw error;
        // Not allowed to read the operation (or it is gone): watch the app itself instead.
        deps.log.info(
          `${options.service}: cannot read the operation status (${error.message}); watching the app`,
        );
        operation = undefined;
        location = undefined;
        last = undefined;
      }
    }
  } catch (error) {
    return cannotFollow(deps, options, error);
  }
  if (state.state === 'failed') {
    throw new RefusedError(
      `${options.service}: the update of container app ${target.app} ended ${state.status}: ${state.error}`,
    );
  }
  try {
    const app = parseContainerApp((await get(containerAppGetRequest(target).url)).json());
    const revision = app?.latestRevisionName;
    return {
      ...(revision ? { revision } : {}),
      ...(revision && revision === previousRevision
        ? { warning: `no new revision was created (the latest is still ${revision})` }
        : {}),
    };
  } catch (error) {
    return cannotFollow(deps, options, error);
  }
}

function cannotFollow(deps: TriggerDeps, options: SendOptions, error: unknown): DeployReport {
  const message = error instanceof Error ? error.message : String(error);
  deps.log.warn(`${options.service}: could not follow the update: ${message}`);
  return {
    warning: `the update was accepted, but following it failed (${message}); check the app's revisions`,
  };
}
