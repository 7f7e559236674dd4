import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runDeploy, type DeployOptions } from '../../../shared/cli/deploy-command';
import { runCli } from '../../../shared/cli/main';
import { fixedTokens } from '../../helpers/deploy-fakes';
import { startFakeDeployApis, type FakeDeployApis } from '../../helpers/fake-deploy-apis';
import { fixturePath } from '../../helpers/fixtures';

const TOKEN = 'ghp_deployCliTestToken000000000000001';
const digest = 'sha256:4f1a8c0e3b2d5f6a7c8e9d0b1a2c3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d';
const push = fixturePath('events/acr-webhook/push-2026-no-useragent.json');
let api: FakeDeployApis;
let config: string;

beforeAll(async () => {
  api = await startFakeDeployApis({
    githubToken: TOKEN,
    adoPat: 'x',
    argocdTokens: {},
    armToken: 'arm-token',
  });
  const dir = mkdtempSync(join(tmpdir(), 'deploy-cli-'));
  config = join(dir, 'autopilot.yaml');
  writeFileSync(
    config,
    `
deployTargets:
  web: { type: github-workflow, repo: contoso/web, workflow: deploy.yml, tokenFrom: GH_TOKEN, apiUrl: '${api.githubApiUrl}' }
  badref: { type: github-workflow, repo: contoso/web, workflow: deploy.yml, ref: nope, tokenFrom: GH_TOKEN, apiUrl: '${api.githubApiUrl}' }
  hook: { type: webhook, urlFrom: HOOK_URL, secretFrom: HOOK_SECRET }
  aca: { type: container-app, subscriptionId: 00000000-0000-0000-0000-000000000001, resourceGroup: rg-payments, app: payments-api, container: api, armUrl: '${api.armUrl}' }
`,
  );
});
afterAll(() => api?.close());
beforeEach(() => api.reset());

const env = {
  GH_TOKEN: TOKEN,
  HOOK_URL: 'https://hooks.example.com/T000/secret-path',
  HOOK_SECRET: 'whsec_c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0',
  AZURE_FUNCTIONS_ENVIRONMENT: 'Development',
  AUTOPILOT_ALLOW_INSECURE_LOOPBACK: 'true',
};

async function deploy(options: Partial<DeployOptions>) {
  let stdout = '';
  let stderr = '';
  const code = await runDeploy(
    { target: 'web', event: push, config, dryRun: false, json: false, ...options },
    {
      stdout: (text) => void (stdout += text),
      stderr: (text) => void (stderr += text),
      cwd: tmpdir(),
      env,
    },
    {
      tokens: fixedTokens('arm-token'),
      sleep: async () => undefined,
      now: () => new Date('2026-11-25T10:00:00Z'),
    },
  );
  return { code, stdout, stderr };
}

describe('acr-autopilot deploy --dry-run', () => {
  it('prints the exact request with the token redacted, and sends nothing', async () => {
    const { code, stdout } = await deploy({ dryRun: true });
    expect(code).toBe(0);
    expect(stdout).toBe(
      [
        `POST ${api.githubApiUrl}/repos/contoso/web/actions/workflows/deploy.yml/dispatches`,
        'accept: application/vnd.github+json',
        'content-type: application/json',
        'x-github-api-version: 2022-11-28',
        'user-agent: acr-autopilot',
        'authorization: Bearer REDACTED',
        '',
        JSON.stringify({
          ref: 'main',
          inputs: {
            image: `contoso.azurecr.io/payments/api@${digest}`,
            repository: 'payments/api',
            tag: '1.4.2',
            digest,
          },
          return_run_details: true,
        }),
        '',
      ].join('\n'),
    );
    expect(stdout).not.toContain(TOKEN);
    expect(api.requests).toEqual([]);
  });

  it('--json prints { target, request } with the body as the exact string', async () => {
    const { stdout } = await deploy({ dryRun: true, json: true, target: 'hook' });
    const printed = JSON.parse(stdout) as {
      target: string;
      request: { body: string; url: string; headers: object };
    };
    expect(printed).toEqual({
      target: 'hook',
      request: {
        method: 'POST',
        url: 'https://hooks.example.com/REDACTED',
        headers: {
          'content-type': 'application/json',
          'webhook-id': '44e03acce5ccc4537fb706f2e014fea6',
          'webhook-timestamp': '1795600800',
          'webhook-signature': 'v1,REDACTED',
        },
        body: expect.stringMatching(
          /^\{"type":"image.pushed","timestamp":"2026-11-25T10:00:00.000Z","data":/,
        ),
      },
    });
    expect(stdout).not.toMatch(/secret-path|c2VjcmV0/);
  });

  it('shows the container app GET and the PATCH that follows it', async () => {
    const { stdout } = await deploy({ dryRun: true, json: true, target: 'aca' });
    expect(JSON.parse(stdout)).toMatchObject({
      target: 'aca',
      request: { method: 'GET', headers: { authorization: 'Bearer REDACTED' } },
      then: { method: 'PATCH', body: null, note: expect.stringContaining('"api" set to') },
    });
  });
});

describe('acr-autopilot deploy', () => {
  it('triggers the target and prints the outcome with the run', async () => {
    const { code, stdout } = await deploy({ json: true });
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({
      target: 'web',
      outcome: 'deployed',
      targetType: 'github-workflow',
      runUrl: 'https://github.com/contoso/web/actions/runs/9001',
    });
    expect(api.runs).toHaveLength(1);
  });

  it('says what the target refused, exit 1', async () => {
    const { code, stdout } = await deploy({ json: true, target: 'badref' });
    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toMatchObject({
      target: 'badref',
      outcome: 'failed',
      retryable: false,
      error: expect.stringContaining('No ref found for: nope'),
    });
  });

  it('sets a container app image through ARM and names the revision', async () => {
    api.arm.addApp({ name: 'payments-api', template: { containers: [{ name: 'api', image: 'old' }] } });
    const { code, stdout } = await deploy({ target: 'aca' });
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /^triggered "aca" \(container-app\) for contoso.azurecr.io\/payments\/api:1.4.2@sha256:4f1a8c0e3b2d\n {2}revision: payments-api--/,
    );
  });

  it('lists the targets there are for an unknown one, and refuses a file without a push', async () => {
    const cli = async (args: string[]) => {
      let stderr = '';
      const code = await runCli(args, {
        stdout: () => undefined,
        stderr: (t) => void (stderr += t),
        cwd: tmpdir(),
        env,
      });
      return { code, stderr };
    };
    expect(await cli(['deploy', '--target', 'nope', '--event', push, '--config', config])).toEqual({
      code: 2,
      stderr: '--target nope: no such deploy target (defined: web, badref, hook, aca)\n',
    });
    expect(
      await cli([
        'deploy',
        '--target',
        'web',
        '--event',
        fixturePath('events/acr-webhook/delete.json'),
        '--config',
        config,
      ]),
    ).toMatchObject({ code: 1, stderr: expect.stringContaining('delete events do not trigger deployments') });
    expect((await cli(['deploy', '--event', push])).stderr).toMatch(
      /required option '--target <name>' not specified/,
    );
  });
});
