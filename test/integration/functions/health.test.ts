import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpRequest, InvocationContext } from '@azure/functions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acrWebhook } from '../../../functions/acr-webhook';
import { health } from '../../../functions/health';
import { azuriteConnectionString, readAppSettings } from '../../../shared/config/app-settings';
import type { AzuriteHandle } from '../../../shared/local-host/azurite';
import { createRuntime, useRuntime } from '../../../shared/runtime/composition-root';
import { startTestAzurite } from '../../helpers/azurite';
import { closedPort } from '../../helpers/git-http-server';
import { useTestRuntime } from '../../helpers/runtime';

let azurite: AzuriteHandle;
const logs: string[] = [];
const context = () =>
  new InvocationContext({
    invocationId: 'health',
    functionName: 'health',
    logHandler: (level, ...args) => void logs.push(`${level} ${args.join(' ')}`),
  });
const get = () => new HttpRequest({ method: 'GET', url: 'http://127.0.0.1/api/health' });

beforeAll(async () => {
  azurite = await startTestAzurite();
});
afterAll(async () => {
  useRuntime(undefined);
  await azurite?.stop();
});

describe('health (anonymous)', () => {
  it('is ok when the config loaded and storage answers', async () => {
    await useTestRuntime({ AzureWebJobsStorage: azurite.connectionString });
    const response = await health(get(), context());
    expect(response).toEqual({
      status: 200,
      jsonBody: { status: 'ok', checks: { config: 'ok', queues: 'ok', tables: 'ok' } },
    });
  });

  it('answers 503 degraded when storage does not answer', async () => {
    const port = await closedPort();
    await useTestRuntime({
      AzureWebJobsStorage: azuriteConnectionString('127.0.0.1', { blob: port, queue: port, table: port }),
    });
    const response = await health(get(), context());
    expect(response).toEqual({
      status: 503,
      jsonBody: {
        status: 'degraded',
        checks: { config: 'ok', queues: 'unreachable', tables: 'unreachable' },
      },
    });
    expect(logs.at(-1)).toMatch(/^warning health: /);
  });

  it('tells an anonymous caller nothing about a broken config, and logs all of it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'health-'));
    const path = join(dir, 'autopilot.yaml');
    writeFileSync(path, 'rules:\n  - match: { repository: "a" }\n    pin: { repo: nope }\n');
    // As in a worker with this config: every function builds the runtime on first use, and fails.
    const failing = createRuntime(
      readAppSettings({ AzureWebJobsStorage: azurite.connectionString, AUTOPILOT_CONFIG: path }),
    );
    failing.catch(() => undefined);
    useRuntime(failing);

    const probe = await health(get(), context());
    expect(probe).toEqual({ status: 503, jsonBody: { status: 'misconfigured' } });
    const post = await acrWebhook(
      new HttpRequest({
        method: 'POST',
        url: 'http://127.0.0.1/api/acr/webhook',
        headers: { 'content-type': 'application/json' },
        body: { string: '{"action":"push"}' },
      }),
      context(),
    );
    expect(post.status).toBe(500);
    const answers = JSON.stringify([probe.jsonBody, post.jsonBody]);
    expect(answers).not.toContain(dir);
    expect(answers).not.toMatch(/nope|rules\[0\]/);
    expect(logs.join('\n')).toContain(path);
  });
});
