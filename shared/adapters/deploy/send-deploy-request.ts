import type { DeployHttpRequest } from '../../domain/deploy/deploy-http-request';
import { ConfigError } from '../../domain/errors';
import type { OutboundClient, OutboundResponse } from '../http/outbound-client';

/** How one deploy request is sent: who it is for and what may not be shown. */
export interface SendOptions {
  /** Names the target in every message: `GitHub (deployTargets.web-prod)`. */
  service: string;
  /** `authorization` (from `authorizationHeader`) or a signature; never in a `DeployHttpRequest`. */
  auth?: Record<string, string>;
  /** Values to keep out of messages besides the auth headers (a URL from an app setting). */
  secrets?: readonly string[];
  /** Adds what to fix to a refusal. */
  hint?: (status: number) => string | undefined;
  /** Statuses handed back; default every 2xx. */
  accept?: readonly number[];
  timeoutMs?: number;
}

/**
 * Sends a `DeployHttpRequest` through the outbound client, body byte for byte. Triggers are not
 * idempotent: only a GET is repeated freely; a POST or PATCH only when it surely did not arrive.
 */
export function sendDeployRequest(
  http: OutboundClient,
  request: DeployHttpRequest,
  options: SendOptions,
): Promise<OutboundResponse> {
  return http.request({
    method: request.method,
    url: request.url,
    service: options.service,
    headers: { ...request.headers, ...options.auth },
    ...(request.body === undefined ? {} : { body: request.body }),
    idempotent: request.method === 'GET',
    ...(options.secrets ? { secrets: options.secrets } : {}),
    ...(options.hint ? { hint: options.hint } : {}),
    ...(options.accept ? { accept: options.accept } : {}),
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
  });
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
