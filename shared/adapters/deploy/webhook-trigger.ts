import type { DeployTargetOf } from '../../domain/config/deploy-targets-schema';
import { buildDeployRequest } from '../../domain/deploy/build-deploy-request';
import type { DeployHttpRequest } from '../../domain/deploy/deploy-http-request';
import type { DeployTrigger } from '../../domain/deploy/deploy-ports';
import { ConfigError } from '../../domain/errors';
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
            ...(target.urlFrom ? urlAndPath(url) : []),
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
        throw error;
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

/** The URL and its path: a webhook URL from an app setting may carry its secret in either. */
function urlAndPath(url: string): string[] {
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
