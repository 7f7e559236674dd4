import type { DeployTargetOf } from '../config/deploy-targets-schema';
import { ConfigError } from '../errors';
import type { DeployHttpRequest, DeployInput, DeployRequestExtra } from './deploy-http-request';
import { imageByDigest } from './render-template';

/**
 * A Standard Webhooks POST (shared/reference/gitops.md §6): body `{ type, timestamp, data }`, headers
 * `webhook-id` (the event's dedupe key: stable across retries, so the receiver can dedupe) and
 * `webhook-timestamp` (unix seconds). The adapter adds `webhook-signature` over
 * `{webhook-id}.{webhook-timestamp}.{body}` with the `standardwebhooks` library, using these very
 * header values and body.
 */
export function webhookRequest(
  target: DeployTargetOf<'webhook'>,
  input: DeployInput,
  extra: DeployRequestExtra,
): DeployHttpRequest {
  const url = target.url ?? extra.url;
  if (!url) {
    throw new ConfigError(
      `deployTargets.${input.target}.urlFrom: app setting ${target.urlFrom ?? '(none)'} is not set; set it to the webhook URL`,
    );
  }
  const data = {
    target: input.target,
    image: imageByDigest(input.event),
    event: input.event,
    ...(input.pin ? { pin: input.pin } : {}),
  };
  return {
    method: 'POST',
    url,
    headers: {
      'content-type': 'application/json',
      'webhook-id': input.event.dedupeKey,
      'webhook-timestamp': String(Math.floor(extra.now.getTime() / 1000)),
    },
    body: JSON.stringify({ type: target.eventType, timestamp: extra.now.toISOString(), data }),
  };
}
