import type { DeployTargetOf } from '../../domain/config/deploy-targets-schema';
import { buildDeployRequest } from '../../domain/deploy/build-deploy-request';
import type { DeployHttpRequest } from '../../domain/deploy/deploy-http-request';
import type { DeployTrigger } from '../../domain/deploy/deploy-ports';
import { ConfigError, DomainError, RefusedError, UpstreamError } from '../../domain/errors';
import { redactUrl } from '../../domain/redact';
import { requireSetting, sendDeployRequest, targetPath } from './send-deploy-request';
import type { TriggerDeps } from './trigger-deps';

type Webhook = DeployTargetOf<'webhook'>;

/**
 * `webhook`: a Standard Webhooks POST, signed with the `standardwebhooks` library (loaded on first
 * use) over exactly the `webhook-id`, `webhook-timestamp` and body that are sent. A URL from an app
 * setting (`urlFrom`) is a secret: it never appears in a message, and its host must be listed in
 * `outbound.allowedHosts` (a setting cannot widen the allow-list).
 */
export function webhookTrigger(deps: TriggerDeps): DeployTrigger<Webhook> {
  return {
    async trigger(target, input) {
      const where = targetPath(input.target);
      const url =
        target.url ??
        requireSetting(
          deps.setting,
          target.urlFrom ?? '',
          `${where}.urlFrom`,
          'the https URL of the webhook',
        );
      const request = buildDeployRequest(target, input, { now: deps.clock(), url });
      const signature = target.secretFrom
        ? await signatureHeader(deps, target.secretFrom, where, request)
        : {};
      try {
        await sendDeployRequest(deps.http, request, {
          service: `webhook (${where})`,
          auth: signature,
          secrets: [
            ...(target.urlFrom ? urlSecrets(url) : []),
            ...(target.secretFrom ? [deps.setting(target.secretFrom) ?? ''] : []),
          ],
          timeoutMs: 20_000,
          hint: (status) => (status === 410 ? 'the receiver disabled this endpoint (410 Gone)' : undefined),
        });
      } catch (error) {
        if (!target.urlFrom) throw error;
        const host = hostOf(url);
        if (error instanceof ConfigError && /allow-list/.test(error.message)) {
          throw new ConfigError(
            `${where}.urlFrom: the host of the URL in app setting ${target.urlFrom} (${host}) is not on the ` +
              `outbound allow-list; add ${host} to outbound.allowedHosts`,
            [{ path: 'outbound.allowedHosts', message: `add ${host}` }],
          );
        }
        throw withoutUrl(error, url, target.urlFrom);
      }
      return { report: {} };
    },
  };
}

/** `webhook-signature: v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`. */
async function signatureHeader(
  deps: TriggerDeps,
  setting: string,
  where: string,
  request: DeployHttpRequest,
): Promise<Record<string, string>> {
  const secret = requireSetting(
    deps.setting,
    setting,
    `${where}.secretFrom`,
    'a Standard Webhooks secret (whsec_…)',
  );
  const { Webhook: Signer } = await import('standardwebhooks');
  let signer: InstanceType<typeof Signer>;
  try {
    signer = new Signer(secret);
  } catch {
    throw new ConfigError(
      `app setting ${setting} (${where}.secretFrom) is not a Standard Webhooks secret; set it to whsec_ followed by ` +
        'base64 of 24 to 64 random bytes (e.g. whsec_$(openssl rand -base64 32))',
    );
  }
  const id = request.headers['webhook-id'] ?? '';
  const timestamp = new Date(Number(request.headers['webhook-timestamp']) * 1000);
  return { 'webhook-signature': signer.sign(id, timestamp, request.body ?? '') };
}

/**
 * The same error with the (redacted) URL replaced by the setting's name: the outbound client shows a
 * URL's path, and a URL kept in an app setting may hold its secret there.
 */
function withoutUrl(error: unknown, url: string, setting: string): unknown {
  if (!(error instanceof DomainError)) return error;
  const shown = redactUrl(url);
  if (!error.message.includes(shown)) return error;
  const message = error.message.split(shown).join(`(the URL in ${setting})`);
  if (error instanceof ConfigError) return new ConfigError(message, error.issues);
  if (error instanceof RefusedError) {
    return new RefusedError(message, { ...(error.status === undefined ? {} : { status: error.status }) });
  }
  if (error instanceof UpstreamError) {
    return new UpstreamError(message, undefined, {
      ...(error.status === undefined ? {} : { status: error.status }),
      ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
    });
  }
  return new DomainError(error.code, message, { issues: error.issues, retryable: error.retryable });
}

/** The URL and its path: a webhook URL from an app setting may carry its secret in either. */
function urlSecrets(url: string): string[] {
  try {
    const { pathname } = new URL(url);
    return pathname.length > 1 ? [url, pathname] : [url];
  } catch {
    return [url];
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return '(not a URL)';
  }
}
