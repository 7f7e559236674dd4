import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { functionArgs } from '../helpers/e2e-app';
import { startFakeDeployApis, type FakeDeployApis } from '../helpers/fake-deploy-apis';
import { startGitHttpServer } from '../helpers/git-http-server';
import { startLocalHostProcess, type RunningHost } from '../helpers/local-host-process';
import { gitopsTree } from './pinning';
import { ms, percentile, printFigures, type Figure } from './stats';

const registry = 'contoso.azurecr.io';
const secret = 'Bearer bench-deploy-secret';
const gitopsToken = 'ghp_benchDeployGitopsToken0000000001';
const ghToken = 'ghp_benchDeployActionsToken000000001';
const hookSecret = `whsec_${Buffer.from('bench-deploy-signing-secret-key!').toString('base64')}`;

const digestOf = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;

/**
 * Deployment triggers: an ACR push until the deploy request reaches a local server, through the local
 * host (webhook → image-events → fan-out → deploy-requests → deployRequest → signed webhook POST), and
 * with `after: pin` (→ pin-requests → commit in a 100-file gitops repo → deploy-requests → GitHub
 * workflow_dispatch with the commit sha). One push at a time, each a new tag.
 */
export async function benchDeploy(options: { pushes: number }): Promise<Figure[]> {
  return [...(await benchDirect(options.pushes)), ...(await benchAfterPin(options.pushes))];
}

async function benchDirect(pushes: number): Promise<Figure[]> {
  const api = await startApi();
  const dir = mkdtempSync(join(tmpdir(), 'bench-deploy-'));
  writeFileSync(
    join(dir, 'autopilot.yaml'),
    `
deployTargets:
  release: { type: webhook, url: '${api.hookUrl('release')}', secretFrom: HOOK_SECRET }
rules:
  - match: { repository: 'payments/api' }
    deploy: [release]
`,
  );
  const host = await startHost(dir, [
    'acr-webhook',
    'health',
    'app-start',
    'fan-out-actions',
    'deploy-request',
  ]);
  try {
    const timings = await measure(host, api, pushes, () => api.to('hooks'));
    return report(
      timings,
      'push → signed webhook received',
      `Deploy (a): ${pushes} ACR pushes until the signed webhook POST reaches a local receiver, through the local host`,
    );
  } finally {
    await host.stop();
    await api.close();
  }
}

async function benchAfterPin(pushes: number): Promise<Figure[]> {
  const api = await startApi();
  const git = await startGitHttpServer({ tokens: { [gitopsToken]: 'write' } });
  await git.createRepo('org/fleet', gitopsTree(100, '1.4.0'));
  const dir = mkdtempSync(join(tmpdir(), 'bench-deploy-pin-'));
  // `follow` moves every reference to the newest tag, so each push of a new tag makes a commit.
  writeFileSync(
    join(dir, 'autopilot.yaml'),
    `
gitops:
  fleet: { url: '${git.repoUrl('org/fleet')}', tokenFrom: GITOPS_TOKEN }
deployTargets:
  web:
    type: github-workflow
    repo: contoso/web
    workflow: deploy.yml
    tokenFrom: GH_TOKEN
    apiUrl: '${api.githubApiUrl}'
    inputs: { image: '{{image}}', commit: '{{commit}}' }
rules:
  - match: { repository: 'payments/api' }
    pin: { repo: fleet, mode: follow }
    deploy: { targets: [web], after: pin }
`,
  );
  const host = await startHost(dir, [
    'acr-webhook',
    'health',
    'app-start',
    'fan-out-actions',
    'pin-request',
    'deploy-request',
  ]);
  try {
    const timings = await measure(host, api, pushes, () => api.to('github'));
    const missingSha = api.runs.filter((run) => !/^[0-9a-f]{40}$/.test(run.inputs.commit ?? '')).length;
    if (missingSha > 0) throw new Error(`${missingSha} dispatch(es) without the pin commit`);
    return report(
      timings,
      'push → dispatch with pin sha',
      `Deploy (b): ${pushes} ACR pushes with deploy after pin, until the workflow_dispatch carrying the commit sha reaches a local GitHub API (100-file gitops repo), through the local host`,
    );
  } finally {
    await host.stop();
    await git.close();
    await api.close();
  }
}

function startApi(): Promise<FakeDeployApis> {
  return startFakeDeployApis({ githubToken: ghToken, adoPat: 'x', argocdTokens: {}, armToken: 'x' });
}

function startHost(dir: string, functions: string[]): Promise<RunningHost> {
  return startLocalHostProcess({
    args: functionArgs(functions),
    env: {
      AUTOPILOT_CONFIG: join(dir, 'autopilot.yaml'),
      ACR_WEBHOOK_SECRET: secret,
      GITOPS_TOKEN: gitopsToken,
      GH_TOKEN: ghToken,
      HOOK_SECRET: hookSecret,
      AUTOPILOT_ALLOW_INSECURE_LOOPBACK: 'true',
    },
  });
}

/** Milliseconds from sending each push until `received()` grows by one, after one warm-up push. */
async function measure(
  host: RunningHost,
  api: FakeDeployApis,
  pushes: number,
  received: () => { at: number }[],
): Promise<number[]> {
  const pushAndWait = async (tag: string) => {
    const before = received().length;
    const started = performance.now();
    const response = await fetch(`${host.url}/api/acr/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: secret },
      body: JSON.stringify({
        id: `bench-${tag}`,
        action: 'push',
        timestamp: new Date().toISOString(),
        target: {
          repository: 'payments/api',
          tag,
          digest: digestOf(tag),
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
        },
        request: { host: registry, method: 'PUT' },
      }),
    });
    await response.arrayBuffer();
    if (response.status !== 202) throw new Error(`webhook for ${tag} answered ${response.status}`);
    while (received().length === before) {
      if (performance.now() - started > 30_000) {
        throw new Error(
          `no deploy request for ${tag} within 30 s; host output:\n${host.output().slice(-2000)}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    const arrived = received()[before];
    return (arrived?.at ?? performance.now()) - started;
  };
  await pushAndWait('1.4.1'); // warm-up: JIT, queue creation, first clone
  const timings: number[] = [];
  for (let n = 0; n < pushes; n++) timings.push(await pushAndWait(`1.5.${n}`));
  if (api.violations.length > 0)
    throw new Error(`deploy API contract violations: ${api.violations.join('; ')}`);
  return timings;
}

function report(timings: number[], name: string, title: string): Figure[] {
  const figures: Figure[] = [
    { name: `${name}, p50`, value: ms(percentile(timings, 50)) },
    { name: `${name}, p99`, value: ms(percentile(timings, 99)) },
  ];
  printFigures(title, figures);
  return figures;
}
