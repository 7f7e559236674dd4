import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../shared/cli/main';
import { retentionApply, retentionPlan } from '../../../shared/cli/retention-command';
import {
  listTags,
  OCI_REGISTRY_START_TIMEOUT_MS,
  pushImage,
  startOciRegistry,
  type OciRegistry,
} from '../../helpers/oci-registry';

let registry: OciRegistry;
const dir = mkdtempSync(join(tmpdir(), 'retention-cli-'));
const env = { AZURE_FUNCTIONS_ENVIRONMENT: 'Development', AUTOPILOT_ALLOW_INSECURE_LOOPBACK: 'true' };

function io(options: { tty?: boolean } = {}) {
  const out = { stdout: '', stderr: '' };
  return {
    out,
    io: {
      stdout: (text: string) => void (out.stdout += text),
      stderr: (text: string) => void (out.stderr += text),
      cwd: dir,
      env,
      stderrIsTTY: options.tty ?? false,
    },
  };
}

function config(name: string): string {
  const path = join(dir, `${name}.yaml`);
  writeFileSync(
    path,
    `retention:
  dryRun: true
  registries:
    - { name: lab, type: oci, url: "${registry.url}" }
  policies:
    - repositories: ['${name}/**']
      keep: { newest: 1, tags: [stable] }
`,
  );
  return path;
}

async function seed(repo: string) {
  await pushImage(registry.url, repo, { tag: ['old', 'stable'], created: '2024-01-01T00:00:00Z' });
  await pushImage(registry.url, repo, { tag: 'mid', created: '2025-01-01T00:00:00Z' });
  await pushImage(registry.url, repo, { tag: 'new', created: new Date() });
}

beforeAll(async () => {
  registry = await startOciRegistry();
}, OCI_REGISTRY_START_TIMEOUT_MS);
afterAll(async () => registry?.stop());

describe('acr-autopilot retention plan', () => {
  it('prints every tag with its decision and reason, then totals, and deletes nothing', async () => {
    await seed('plan/app');
    await pushImage(registry.url, 'elsewhere/app', { tag: 'x', created: '2020-01-01T00:00:00Z' });
    const { out, io: cli } = io();
    const code = await runCli(['retention', 'plan', '--config', config('plan')], cli);
    expect(code).toBe(0);
    const lines = out.stdout.split('\n');
    expect(lines[0]).toBe(`registry lab (${registry.url})`);
    expect(lines[1]).toBe('  plan/app: keep 3, delete 1 (policy 0)');
    expect(
      lines.slice(2, 6).map((line) =>
        line
          .replace(/sha256:\w+/, 'D')
          .replace(/\s+/g, ' ')
          .trim(),
      ),
    ).toEqual([
      'keep new D newest 1 of 4',
      'delete mid D not in newest 1 of 4, matches no kept tag',
      'keep old D manifest stays (tag stable is kept) and the registry cannot delete a tag alone',
      'keep stable D matches stable',
    ]);
    expect(out.stdout).toContain(
      'totals: keep 3, delete 1 (tags and untagged manifests); 1 manifest to delete',
    );
    expect(out.stdout).not.toContain('elsewhere/app');
    expect(out.stderr).toBe('');
    expect(await listTags(registry.url, 'plan/app')).toEqual(['mid', 'new', 'old', 'stable']);
  });

  it('--json prints the documented keys; a progress bar is drawn on a terminal only', async () => {
    await seed('json/app');
    const tty = io({ tty: true });
    expect(await retentionPlan({ config: config('json'), registries: ['lab'], json: true }, tty.io)).toBe(0);
    const json = JSON.parse(tty.out.stdout) as {
      registries: { name: string; repositories: { name: string; tags: object[]; manifests: object[] }[] }[];
      totals: object;
    };
    expect(Object.keys(json)).toEqual(['registries', 'totals']);
    expect(json.registries[0]?.repositories[0]?.tags[0]).toEqual({
      tag: 'new',
      digest: expect.stringMatching(/^sha256:/),
      decision: 'keep',
      reason: 'newest 1 of 4',
    });
    expect(json.totals).toEqual({ keep: 3, delete: 1 });
    expect(tty.out.stderr).toContain('reading lab [');
    const piped = io();
    await retentionPlan({ config: config('json'), registries: [], json: true }, piped.io);
    expect(piped.out.stderr).toBe('');
  });

  it('says what is wrong: no retention section, an unknown registry', async () => {
    const path = join(dir, 'empty.yaml');
    writeFileSync(path, 'rules: []\n');
    const { out, io: cli } = io();
    expect(await runCli(['retention', 'plan', '--config', path], cli)).toBe(2);
    expect(out.stderr).toContain('has no retention section');
    expect(await runCli(['retention', 'plan', '--config', config('plan'), '--registry', 'prod'], cli)).toBe(
      2,
    );
    expect(out.stderr).toContain('unknown retention registry "prod"; retention.registries has lab');
  });
});

describe('acr-autopilot retention apply', () => {
  it('needs --yes', async () => {
    const { out, io: cli } = io();
    expect(await runCli(['retention', 'apply', '--config', config('plan')], cli)).toBe(2);
    expect(out.stderr).toContain('add --yes');
  });

  it('deletes the plan and prints the table of what happened', async () => {
    await seed('apply/app');
    const { out, io: cli } = io();
    const code = await retentionApply(
      { config: config('apply'), registries: [], json: false, yes: true },
      cli,
    );
    expect(code).toBe(0);
    expect(await listTags(registry.url, 'apply/app')).toEqual(['new', 'old', 'stable']);
    const table = out.stdout.split('\n');
    expect(table[0]).toBe(`registry lab (${registry.url}): applied`);
    expect(table[1]?.split(/\s+/).filter(Boolean)).toEqual([
      'repository',
      'kept',
      'deleted',
      'failed',
      'freed',
    ]);
    expect(table[2]?.split(/\s+/).filter(Boolean).slice(0, 4)).toEqual(['apply/app', '3', '1', '0']);
    expect(table[2]).toMatch(/\d+(\.\d)? k?B$/);
    expect(out.stderr).toContain('note: retention.dryRun is true');
    expect(out.stderr).toContain('no lease was taken');
  });

  it('takes its options from the command line: --registry, --yes, --no-lease, --json', async () => {
    await seed('cli/app');
    const { out, io: cli } = io();
    const args = ['retention', 'apply', '--config', config('cli'), '--registry', 'lab', '--yes'];
    expect(await runCli([...args, '--no-lease', '--json'], cli)).toBe(0);
    expect(await listTags(registry.url, 'cli/app')).toEqual(['new', 'old', 'stable']);
    expect(JSON.parse(out.stdout)).toMatchObject({
      run: { registries: [{ name: 'lab', status: 'applied' }] },
    });
    // --no-lease was asked for: no note that a lease could not be taken.
    expect(out.stderr).not.toContain('no lease was taken');
  });
});
