import type { DeployHttpRequest } from '../../domain/deploy/deploy-http-request';
import { ConfigError, RefusedError, UpstreamError } from '../../domain/errors';
import type { OutboundClient, OutboundRequest, OutboundResponse } from '../http/outbound-client';

/** How long a target that is busy with another operation is given before the queue tries again. */
const busyRetryAfterMs = 30_000;

/** How one deploy request is sent: who it is for, what may not be shown, what counts as busy. */
export interface SendOptions extends Pick<
  OutboundRequest,
  'service' | 'secrets' | 'hint' | 'accept' | 'timeoutMs'
> {
  /** `authorization` (from `authorizationHeader`) or a signature; never in a `DeployHttpRequest`. */
  auth?: Record<string, string>;
  /**
   * A refusal that only means the target is busy with another operation (Argo CD's "another operation
   * is already in progress", ARM's 409 while the app updates): retryable, after `busyRetryAfterMs`.
   */
  busy?: (refusal: RefusedError) => boolean;
}

/**
 * Sends a `DeployHttpRequest` through the outbound client, body byte for byte. Triggers are not
 * idempotent: the client repeats a GET freely, a POST or PATCH only when it surely did not arrive.
 */
export async function sendDeployRequest(
  http: OutboundClient,
  request: DeployHttpRequest,
  options: SendOptions,
): Promise<OutboundResponse> {
  const { auth, busy, ...sendOptions } = options;
  try {
    return await http.request({
      ...sendOptions,
      method: request.method,
      url: request.url,
      headers: { ...request.headers, ...auth },
      ...(request.body === undefined ? {} : { body: request.body }),
    });
  } catch (error) {
    if (busy && error instanceof RefusedError && busy(error)) {
      throw new UpstreamError(error.message, error, {
        ...(error.status === undefined ? {} : { status: error.status }),
        retryAfterMs: busyRetryAfterMs,
      });
    }
    throw error;
  }
}

/**
 * The value of the app setting a target names, or a ConfigError that says which setting, where it is
 * named and what it must hold.
 */
export function requireSetting(
  setting: (name: string) => string | undefined,
  name: string,
  path: string,
  holds: string,
): string {
  const value = setting(name)?.trim();
  if (value) return value;
  throw new ConfigError(`app setting ${name} (${path}) is not set; set it to ${holds}`, [
    { path, message: `app setting ${name} is not set` },
  ]);
}

/** `deployTargets.<name>`: the YAML path of a target, for messages. */
export const targetPath = (target: string) => `deployTargets.${target}`;
