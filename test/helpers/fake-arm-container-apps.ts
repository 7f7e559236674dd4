import type { ServerResponse } from 'node:http';
import type { RecordedRequest } from './fake-deploy-apis';

/**
 * Azure Resource Manager for `Microsoft.App/containerApps`, shaped after ContainerApps.json
 * (2025-07-01) and the async-operations guide (shared/reference/next.md §1): GET the app (secret values
 * left out, as ARM does), PATCH as JSON merge patch of `properties.template` (arrays replaced whole),
 * answered 202 with `Azure-AsyncOperation` and `Location` (or only `Location`, or 200 at once), and
 * the operation and location URLs that say `InProgress` for a while, then `Succeeded` or `Failed`. A
 * successful update makes a new revision `<app>--<suffix>`.
 */

export interface FakeContainer {
  name: string;
  image: string;
  [field: string]: unknown;
}

export interface FakeContainerApp {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  location: string;
  template: {
    revisionSuffix?: string;
    containers: FakeContainer[];
    initContainers?: FakeContainer[];
    [field: string]: unknown;
  };
  latestRevisionName: string;
  provisioningState: 'Succeeded' | 'InProgress' | 'Failed';
  revisions: string[];
  /** How a PATCH answers: 202 with both headers, 202 with `Location` only, or 200 with the app. */
  lro: 'async-operation' | 'location' | 'sync';
  /** Polls answered `InProgress` before the operation ends. */
  pollsBeforeDone: number;
  /** How the next operation ends. */
  outcome: 'Succeeded' | 'Failed';
  /** Answer 403 to reads of the operation (an identity whose role is scoped to the app). */
  denyOperationReads?: boolean;
}

interface Operation {
  id: string;
  app: FakeContainerApp;
  pollsLeft: number;
  status: 'InProgress' | 'Succeeded' | 'Failed';
  suffix: string | undefined;
}

export interface FakeArm {
  readonly apps: FakeContainerApp[];
  /** PATCH bodies received, parsed. */
  readonly patches: unknown[];
  addApp(app: Partial<FakeContainerApp> & Pick<FakeContainerApp, 'name' | 'template'>): FakeContainerApp;
  handle(
    request: RecordedRequest,
    res: ServerResponse,
    send: (res: ServerResponse, status: number, body: unknown, headers?: Record<string, string>) => void,
  ): void;
  reset(): void;
}

export const apiVersion = '2025-07-01';

export function createFakeArm(options: {
  token: () => string;
  base: () => string;
  violations: string[];
}): FakeArm {
  const apps: FakeContainerApp[] = [];
  const patches: unknown[] = [];
  const operations = new Map<string, Operation>();
  let nextOperation = 1;

  const appBody = (app: FakeContainerApp) => ({
    id: `/subscriptions/${app.subscriptionId}/resourceGroups/${app.resourceGroup}/providers/Microsoft.App/containerApps/${app.name}`,
    name: app.name,
    type: 'Microsoft.App/containerApps',
    location: app.location,
    properties: {
      provisioningState: app.provisioningState,
      latestRevisionName: app.latestRevisionName,
      latestReadyRevisionName: app.latestRevisionName,
      configuration: {
        activeRevisionsMode: 'Single',
        // ARM never returns secret values; a GET → PUT round trip would fail on them.
        secrets: [{ name: 'db-password' }],
        ingress: { external: true, targetPort: 8080 },
      },
      template: structuredClone(app.template),
    },
  });

  function finish(operation: Operation): void {
    const { app } = operation;
    if (app.outcome === 'Failed') {
      operation.status = 'Failed';
      app.provisioningState = 'Failed';
      return;
    }
    operation.status = 'Succeeded';
    const revision = `${app.name}--${operation.suffix ?? `r${app.revisions.length + 1}x${operation.id}`}`;
    app.revisions.push(revision);
    app.latestRevisionName = revision;
    app.provisioningState = 'Succeeded';
  }

  function poll(operation: Operation): void {
    if (operation.status !== 'InProgress') return;
    if (operation.pollsLeft > 0) operation.pollsLeft -= 1;
    else finish(operation);
  }

  return {
    apps,
    patches,
    addApp(partial) {
      const app: FakeContainerApp = {
        subscriptionId: '00000000-0000-0000-0000-000000000001',
        resourceGroup: 'rg-payments',
        location: 'westeurope',
        latestRevisionName: `${partial.name}--initial`,
        provisioningState: 'Succeeded',
        revisions: [`${partial.name}--initial`],
        lro: 'async-operation',
        pollsBeforeDone: 2,
        outcome: 'Succeeded',
        ...partial,
      };
      apps.push(app);
      return app;
    },
    handle(request, res, send) {
      const { headers, method, path, query } = request;
      if (headers.authorization !== `Bearer ${options.token()}`) {
        send(res, 401, {
          error: { code: 'InvalidAuthenticationToken', message: 'The access token is invalid.' },
        });
        return;
      }
      if (query['api-version'] !== apiVersion) {
        options.violations.push(`ARM: ${method} ${path} without api-version=${apiVersion}`);
      }
      const appMatch =
        /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.App\/containerApps\/([^/]+)$/.exec(
          path,
        );
      if (appMatch) {
        const [, sub, rg, name] = appMatch;
        const app = apps.find(
          (candidate) =>
            candidate.subscriptionId === sub &&
            candidate.resourceGroup.toLowerCase() === rg?.toLowerCase() &&
            candidate.name === name,
        );
        if (!app) {
          send(res, 404, {
            error: {
              code: 'ResourceNotFound',
              message: `The Resource 'Microsoft.App/containerApps/${name}' under resource group '${rg}' was not found.`,
            },
          });
          return;
        }
        if (method === 'GET') {
          send(res, 200, appBody(app));
          return;
        }
        if (method === 'PATCH') return patch(app, request, res, send);
        options.violations.push(`ARM: unexpected ${method} on a container app`);
        send(res, 405, { error: { code: 'MethodNotAllowed', message: method } });
        return;
      }
      const operationMatch =
        /^\/subscriptions\/[^/]+\/providers\/Microsoft\.App\/locations\/[^/]+\/(containerappOperationResults|containerappOperationStatuses)\/([^/]+)$/.exec(
          path,
        );
      const operation = operationMatch ? operations.get(operationMatch[2] ?? '') : undefined;
      if (operationMatch && operation && method === 'GET') {
        if (operation.app.denyOperationReads) {
          send(res, 403, {
            error: {
              code: 'AuthorizationFailed',
              message: `The client does not have authorization to perform action 'Microsoft.App/locations/${operationMatch[1]}/read'.`,
            },
          });
          return;
        }
        poll(operation);
        if (operationMatch[1] === 'containerappOperationResults') {
          send(
            res,
            200,
            {
              id: path,
              name: operation.id,
              status: operation.status,
              startTime: '2026-11-25T10:00:00Z',
              ...(operation.status === 'Failed'
                ? {
                    error: {
                      code: 'ContainerAppOperationError',
                      message: 'Failed to provision revision: container "api" exited with code 1',
                    },
                  }
                : {}),
            },
            operation.status === 'InProgress' ? { 'retry-after': '1' } : {},
          );
        } else if (operation.status === 'InProgress') {
          send(res, 202, undefined, {
            location: `${options.base()}${path}?api-version=${apiVersion}`,
            'retry-after': '1',
          });
        } else send(res, 200, appBody(operation.app));
        return;
      }
      options.violations.push(`ARM: unexpected ${method} ${path}`);
      send(res, 404, { error: { code: 'NotFound', message: path } });
    },
    reset() {
      apps.length = 0;
      patches.length = 0;
      operations.clear();
    },
  };

  function patch(
    app: FakeContainerApp,
    request: RecordedRequest,
    res: ServerResponse,
    send: (res: ServerResponse, status: number, body: unknown, headers?: Record<string, string>) => void,
  ): void {
    const body = request.body as { properties?: { template?: Record<string, unknown> } } | undefined;
    patches.push(body);
    if (!request.headers['content-type']?.startsWith('application/json')) {
      options.violations.push('ARM: PATCH needs Content-Type application/json');
    }
    const keys = Object.keys(body ?? {});
    const propertyKeys = Object.keys(body?.properties ?? {});
    if (keys.join() !== 'properties' || propertyKeys.join() !== 'template') {
      options.violations.push(
        `ARM: the PATCH should carry only properties.template, got ${JSON.stringify(keys)}`,
      );
    }
    const template = body?.properties?.template ?? {};
    if (!Array.isArray(template.containers)) {
      options.violations.push(
        'ARM: PATCH template.containers must be the whole list (merge patch replaces arrays)',
      );
    }
    const suffix = typeof template.revisionSuffix === 'string' ? template.revisionSuffix : undefined;
    if (suffix && app.revisions.includes(`${app.name}--${suffix}`)) {
      send(res, 400, {
        error: {
          code: 'ContainerAppRevisionSuffixConflict',
          message: `Revision with suffix ${suffix} already exists.`,
        },
      });
      return;
    }
    // JSON merge patch (RFC 7396): objects merge, arrays and scalars replace.
    app.template = { ...app.template, ...template } as FakeContainerApp['template'];
    app.provisioningState = 'InProgress';
    const operation: Operation = {
      id: `op${nextOperation++}`,
      app,
      pollsLeft: app.pollsBeforeDone,
      status: 'InProgress',
      suffix: suffix ?? app.template.revisionSuffix,
    };
    operations.set(operation.id, operation);
    const at = `${options.base()}/subscriptions/${app.subscriptionId}/providers/Microsoft.App/locations/${app.location}`;
    if (app.lro === 'sync') {
      finish(operation);
      send(res, 200, appBody(app));
      return;
    }
    send(res, 202, undefined, {
      ...(app.lro === 'async-operation'
        ? {
            'azure-asyncoperation': `${at}/containerappOperationResults/${operation.id}?api-version=${apiVersion}`,
          }
        : {}),
      location: `${at}/containerappOperationStatuses/${operation.id}?api-version=${apiVersion}`,
      'retry-after': '1',
    });
  }
}
