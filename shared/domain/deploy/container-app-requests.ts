import { z } from 'zod';
import type { DeployTargetOf } from '../config/deploy-targets-schema';
import type { ImageEvent } from '../events/image-event';
import { setContainerImage, type ContainerImageUpdate, type ContainerSpec } from './container-app-image';
import { jsonHeaders, joinUrl, type DeployHttpRequest } from './deploy-http-request';
import { imageByDigest } from './render-template';

/**
 * The ARM side of a `container-app` target (shared/reference/next.md §1): GET the app, change one
 * container's image (`setContainerImage`), PATCH `properties.template` with every container and init
 * container (merge patch replaces arrays whole), then follow the long-running operation.
 */

type ContainerAppTarget = DeployTargetOf<'container-app'>;

/** `ContainerApps_Update` / `_Get` in specification/app/…/Microsoft.App/ContainerApps/stable/2025-07-01. */
const containerAppsApiVersion = '2025-07-01';

/** `{armUrl}/subscriptions/…/providers/Microsoft.App/containerApps/{app}?api-version=…` */
export function containerAppUrl(target: ContainerAppTarget): string {
  const path = joinUrl(
    target.armUrl,
    'subscriptions',
    target.subscriptionId,
    'resourceGroups',
    target.resourceGroup,
    'providers',
    'Microsoft.App',
    'containerApps',
    target.app,
  );
  return `${path}?api-version=${containerAppsApiVersion}`;
}

/** The Entra scope of a token for `armUrl`: `https://management.azure.com/.default` in the public cloud. */
export function armScope(target: ContainerAppTarget): string {
  return `${new URL(target.armUrl).origin}/.default`;
}

/** The app's revisions in the Azure portal (public cloud only; other clouds have other portals). */
export function containerAppPortalUrl(target: ContainerAppTarget): string | undefined {
  if (new URL(target.armUrl).hostname !== 'management.azure.com') return undefined;
  return (
    `https://portal.azure.com/#resource/subscriptions/${target.subscriptionId}/resourceGroups/` +
    `${target.resourceGroup}/providers/Microsoft.App/containerApps/${target.app}/revisionManagement`
  );
}

export function containerAppGetRequest(target: ContainerAppTarget): DeployHttpRequest {
  return { method: 'GET', url: containerAppUrl(target), headers: { accept: jsonHeaders.accept } };
}

const containerSchema = z.looseObject({ name: z.string().optional(), image: z.string().optional() });
const containerAppSchema = z.looseObject({
  properties: z
    .looseObject({
      provisioningState: z.string().nullish(),
      latestRevisionName: z.string().nullish(),
      template: z
        .looseObject({
          revisionSuffix: z.string().nullish(),
          containers: z.array(containerSchema).nullish(),
          initContainers: z.array(containerSchema).nullish(),
        })
        .nullish(),
    })
    .nullish(),
});

/** What the app adapter reads from a `ContainerApp` answer. */
export interface ContainerAppState {
  provisioningState?: string | undefined;
  latestRevisionName?: string | undefined;
  revisionSuffix?: string | undefined;
  containers: ContainerSpec[];
  initContainers?: ContainerSpec[] | undefined;
}

/** The parts of a `ContainerApp` body the update needs; undefined when the body is not one. */
export function parseContainerApp(body: unknown): ContainerAppState | undefined {
  const parsed = containerAppSchema.safeParse(body);
  if (!parsed.success || !parsed.data.properties) return undefined;
  const { provisioningState, latestRevisionName, template } = parsed.data.properties;
  return {
    ...(provisioningState ? { provisioningState } : {}),
    ...(latestRevisionName ? { latestRevisionName } : {}),
    ...(template?.revisionSuffix ? { revisionSuffix: template.revisionSuffix } : {}),
    containers: (template?.containers ?? []) as ContainerSpec[],
    ...(template?.initContainers ? { initContainers: template.initContainers as ContainerSpec[] } : {}),
  };
}

export interface ContainerAppUpdatePlan {
  update: ContainerImageUpdate;
  /** The PATCH to send; absent when the container already runs the image. */
  request?: DeployHttpRequest;
}

/**
 * The PATCH that sets the target container's image to `registry/repository@digest`: the whole
 * `containers` list (and `initContainers`), everything else in the template left to the merge. When
 * the template names a `revisionSuffix`, keeping it would ask for a revision name that exists, so a
 * new one is derived from the digest and the time.
 * @throws ConfigError from `setContainerImage` when the container is not there or ambiguous.
 */
export function planContainerAppUpdate(
  target: ContainerAppTarget,
  app: ContainerAppState,
  event: ImageEvent,
  now: Date,
): ContainerAppUpdatePlan {
  const update = setContainerImage(app, target.container, imageByDigest(event));
  if (!update.changed) return { update };
  const template = {
    ...(app.revisionSuffix ? { revisionSuffix: revisionSuffixFor(event.digest, now) } : {}),
    containers: update.containers,
    ...(update.initContainers ? { initContainers: update.initContainers } : {}),
  };
  return {
    update,
    request: {
      method: 'PATCH',
      url: containerAppUrl(target),
      headers: { ...jsonHeaders },
      body: JSON.stringify({ properties: { template } }),
    },
  };
}

/**
 * `ap-<10 hex of the digest>-<time in base 36>`: lower-case letters, digits and single dashes,
 * starting with a letter, well under 64 characters (Container Apps' revision suffix rules).
 */
export function revisionSuffixFor(digest: string, now: Date): string {
  const hex = (digest.split(':')[1] ?? digest).replace(/[^a-z0-9]/g, '').slice(0, 10);
  return `ap-${hex || 'image'}-${Math.floor(now.getTime() / 1000).toString(36)}`;
}

/** A long-running ARM operation, as its `Azure-AsyncOperation` status or the resource's state says. */
export type ArmOperationState =
  { state: 'running' } | { state: 'succeeded' } | { state: 'failed'; status: string; error: string };

const operationSchema = z.looseObject({
  status: z.string().optional(),
  properties: z.looseObject({ provisioningState: z.string().nullish() }).nullish(),
  error: z.looseObject({ code: z.string().optional(), message: z.string().optional() }).nullish(),
});

/**
 * Reads `{ status, error? }` (Azure-AsyncOperation) or a resource's `properties.provisioningState`:
 * `Succeeded`, `Failed` and `Canceled` are final, anything else is still running
 * (Learn: azure-resource-manager/management/async-operations).
 */
export function parseArmOperation(body: unknown): ArmOperationState {
  const parsed = operationSchema.safeParse(body);
  if (!parsed.success) return { state: 'running' };
  const status = parsed.data.status ?? parsed.data.properties?.provisioningState ?? '';
  switch (status.toLowerCase()) {
    case 'succeeded':
      return { state: 'succeeded' };
    case 'failed':
    case 'canceled':
    case 'cancelled': {
      const { code, message } = parsed.data.error ?? {};
      const error = [code, message].filter(Boolean).join(': ') || 'no error details';
      return { state: 'failed', status, error };
    }
    default:
      return { state: 'running' };
  }
}
