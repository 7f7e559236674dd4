import type { DeployTarget } from '../config/deploy-targets-schema';
import { buildDeployRequest } from './build-deploy-request';
import { containerAppGetRequest, containerAppUrl } from './container-app-requests';
import { authorizationScheme } from './deploy-auth';
import { jsonHeaders, type DeployHttpRequest, type DeployInput } from './deploy-http-request';
import { imageByDigest } from './render-template';

/** What `acr-autopilot deploy --dry-run` prints: the exact request, secrets replaced by `REDACTED`. */
export interface DeployPreview {
  request: DeployHttpRequest;
  /** `container-app`: the PATCH that follows, built from the GET's answer (so its body is not known yet). */
  then?: Omit<DeployHttpRequest, 'body'> & { body: null; note: string };
}

const redacted = 'REDACTED';

/**
 * The request `target` would be sent for `input` at `now`, exactly (method, URL, headers, body as the
 * string that goes on the wire), with every secret redacted: the token in `authorization`, the
 * webhook signature, and a webhook URL read from an app setting (only its origin is shown). Reads no
 * secret: `setting` is only asked for a `urlFrom` URL.
 */
export function previewDeployRequest(
  target: DeployTarget,
  input: DeployInput,
  options: { now: Date; setting: (name: string) => string | undefined },
): DeployPreview {
  if (target.type === 'webhook') {
    const fromSetting = target.urlFrom ? options.setting(target.urlFrom)?.trim() : undefined;
    const url = target.url ?? fromSetting ?? 'https://urlfrom.invalid/';
    const request = buildDeployRequest(target, input, { now: options.now, url });
    return {
      request: {
        ...request,
        url: target.url ?? shownUrl(fromSetting, target.urlFrom ?? ''),
        headers: {
          ...request.headers,
          ...(target.secretFrom ? { 'webhook-signature': `v1,${redacted}` } : {}),
        },
      },
    };
  }
  const auth = { authorization: `${authorizationScheme(target)} ${redacted}` };
  if (target.type === 'container-app') {
    const get = containerAppGetRequest(target);
    return {
      request: { ...get, headers: { ...get.headers, ...auth } },
      then: {
        method: 'PATCH',
        url: containerAppUrl(target),
        headers: { ...jsonHeaders, ...auth },
        body: null,
        note:
          `{"properties":{"template":{"containers":[…]}}} with every container and init container of the app as ` +
          `the GET returns them, ${target.container ? `"${target.container}"` : 'its only container'} set to ` +
          imageByDigest(input.event),
      },
    };
  }
  const request = buildDeployRequest(target, input, { now: options.now });
  return { request: { ...request, headers: { ...request.headers, ...auth } } };
}

/** A URL from an app setting is a secret: its origin and `/REDACTED`, or a note when it is not set. */
function shownUrl(value: string | undefined, setting: string): string {
  if (!value) return `(app setting ${setting} is not set)`;
  try {
    return `${new URL(value).origin}/${redacted}`;
  } catch {
    return `(app setting ${setting} does not hold a URL)`;
  }
}
