import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createOutboundClient } from '../../../../shared/adapters/http/outbound-client';
import { parseConfig } from '../../../../shared/config/load-config';
import type { DeployTargetOf } from '../../../../shared/domain/config/deploy-targets-schema';
import { ConfigError, RefusedError } from '../../../../shared/domain/errors';
import { testTriggers } from '../../../helpers/deploy-fakes';
import { startFakeDeployApis, type FakeDeployApis } from '../../../helpers/fake-deploy-apis';
import { sampleEvent } from '../../../helpers/sample-event';

const SECRET = `whsec_${Buffer.from('a-32-byte-secret-for-the-tests!!').toString('base64')}`;
const event = sampleEvent();
let api: FakeDeployApis;

beforeAll(async () => {
  api = await startFakeDeployApis({ githubToken: 'x', adoPat: 'x', argocdTokens: {}, armToken: 'x' });
});
afterAll(() => api?.close());
beforeEach(() => api.reset());

const hook = (yaml: string) =>
  parseConfig(`deployTargets:\n  t: ${yaml}\n`).deployTargets['t'] as DeployTargetOf<'webhook'>;

describe('webhook trigger (Standard Webhooks)', () => {
  it('posts { type, timestamp, data } signed over the exact bytes; the library verifies it', async () => {
    const { triggers } = testTriggers({ HOOK_SECRET: SECRET });

    await triggers.webhook.trigger(
      hook(`{ type: webhook, url: '${api.hookUrl('release')}', secretFrom: HOOK_SECRET }`),
      {
        target: 't',
        event,
      },
    );

    const [request] = api.to('hooks');
    expect(request).toMatchObject({ method: 'POST', path: '/release' });
    expect(request?.headers['webhook-id']).toBe(event.dedupeKey);
    expect(request?.headers['webhook-timestamp']).toMatch(/^\d{10}$/);
    expect(request?.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    const headers = Object.fromEntries(
      Object.entries(request?.headers ?? {}).map(([name, value]) => [name, String(value)]),
    );
    const verified = new Webhook(SECRET).verify(request?.text ?? '', headers);
    expect(verified).toEqual({
      type: 'image.pushed',
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      data: {
        target: 't',
        image: `contoso.azurecr.io/payments/api@${event.digest}`,
        event,
      },
    });
    // Another secret does not verify it.
    const other = `whsec_${Buffer.from('another-32-byte-secret-for-tests').toString('base64')}`;
    expect(() => new Webhook(other).verify(request?.text ?? '', headers)).toThrow(/No matching signature/);
  });

  it('sends unsigned when no secretFrom is set', async () => {
    const { triggers } = testTriggers({});
    await triggers.webhook.trigger(hook(`{ type: webhook, url: '${api.hookUrl('plain')}' }`), {
      target: 't',
      event,
    });
    expect(api.to('hooks')[0]?.headers).not.toHaveProperty('webhook-signature');
  });

  it('reads the URL from urlFrom and keeps it out of every message', async () => {
    const url = `${api.hookUrl('s3cr3t-path-token')}?sig=also-secret-value`;
    api.script({ status: 410, body: { message: `gone: ${url}` } });
    const { triggers } = testTriggers({ HOOK_URL: url });

    const failure = (await triggers.webhook
      .trigger(hook('{ type: webhook, urlFrom: HOOK_URL }'), { target: 't', event })
      .catch((error: unknown) => error)) as RefusedError;

    expect(failure).toBeInstanceOf(RefusedError);
    expect(failure.message).toMatch(/answered 410 \(the receiver disabled this endpoint \(410 Gone\)\)/);
    expect(failure.message).not.toMatch(/s3cr3t-path-token|also-secret-value/);
  });

  it('says to add the host of a urlFrom URL to outbound.allowedHosts', async () => {
    const { triggers } = testTriggers(
      { HOOK_URL: 'https://hooks.example.com/T0/secret-part' },
      { http: createOutboundClient({ allowedHosts: ['api.github.com'], allowInsecureLoopback: false }) },
    );

    const failure = (await triggers.webhook
      .trigger(hook('{ type: webhook, urlFrom: HOOK_URL }'), { target: 't', event })
      .catch((error: unknown) => error)) as ConfigError;

    expect(failure).toBeInstanceOf(ConfigError);
    expect(failure.message).toBe(
      'deployTargets.t.urlFrom: the host of the URL in app setting HOOK_URL (hooks.example.com) is not on the outbound allow-list; add hooks.example.com to outbound.allowedHosts',
    );
  });

  it('refuses a signing secret that is not whsec_ + base64', async () => {
    const { triggers } = testTriggers({ HOOK_SECRET: 'not base64 !!' });
    await expect(
      triggers.webhook.trigger(
        hook(`{ type: webhook, url: '${api.hookUrl('x')}', secretFrom: HOOK_SECRET }`),
        {
          target: 't',
          event,
        },
      ),
    ).rejects.toThrow(
      /app setting HOOK_SECRET \(deployTargets\.t\.secretFrom\) is not a Standard Webhooks secret/,
    );
    expect(api.requests).toEqual([]);
  });
});
