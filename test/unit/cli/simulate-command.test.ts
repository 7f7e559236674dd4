import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configJsonSchema } from '../../../shared/cli/config-command';
import { configReferenceMarkdown } from '../../../shared/cli/config-reference';
import { runCli } from '../../../shared/cli/main';
import { fixturePath, repoRoot } from '../../helpers/fixtures';

async function run(args: string[], cwd = mkdtempSync(join(tmpdir(), 'cli-'))) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    cwd,
    env: {},
  });
  return { code, stdout, stderr };
}

describe('acr-autopilot simulate', () => {
  it('works with no config at all: accepted, no actions', async () => {
    const { code, stdout } = await run([
      'simulate',
      '--event',
      fixturePath('events/acr-webhook/push.json'),
      '--json',
    ]);
    expect(code).toBe(0);
    const { results } = JSON.parse(stdout) as { results: unknown[] };
    expect(results).toEqual([
      {
        outcome: 'accepted',
        event: expect.objectContaining({ repository: 'hello-world', tag: 'v1', source: 'acr-webhook' }),
        actions: [],
      },
    ]);
  });

  it('shows the actions the example config would queue', async () => {
    const { code, stdout } = await run([
      'simulate',
      '--event',
      fixturePath('events/acr-webhook/push-2026-no-useragent.json'),
      '--config',
      join(repoRoot, 'autopilot.example.yaml'),
      '--json',
    ]);
    expect(code).toBe(0);
    const [result] = (JSON.parse(stdout) as { results: { actions: { type: string }[] }[] }).results;
    expect(result?.actions.map((a) => a.type)).toEqual(['pin', 'deploy', 'notify']);
  });

  it('gives one result per event of an Event Grid delivery, with validation and ignored outcomes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-'));
    const file = join(dir, 'delivery.json');
    writeFileSync(
      file,
      JSON.stringify([
        { eventType: 'Microsoft.EventGrid.SubscriptionValidationEvent', data: { validationCode: 'c' } },
        { eventType: 'Microsoft.Storage.BlobCreated' },
      ]),
    );
    const { code, stdout } = await run(['simulate', '--event', file, '--json'], dir);
    expect(code).toBe(0);
    const { results } = JSON.parse(stdout) as { results: { outcome: string; reason: string }[] };
    expect(results.map((r) => r.outcome)).toEqual(['validation', 'ignored']);
    expect(Object.keys(results[1] ?? {}).sort()).toEqual(['actions', 'outcome', 'reason']);
  });

  it('exits 1 when an event is invalid, listing the problem by path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-'));
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ action: 'push', target: { tag: 5 } }));
    const { code, stdout } = await run(['simulate', '--event', 'bad.json'], dir);
    expect(code).toBe(1);
    expect(stdout).toContain('target.tag: Invalid input: expected string, received number');
  });

  it.each([
    [['simulate'], /required option '--event <file>' not specified/],
    [['simulate', '--event', '/nope.json'], /cannot read \/nope.json/],
    [
      ['simulate', '--event', fixturePath('events/acr-webhook/push.json'), '--config', '/nope.yaml'],
      /AUTOPILOT_CONFIG/,
    ],
    [['simulate', '--bogus'], /unknown option '--bogus'/],
    [['frobnicate'], /unknown command 'frobnicate'/],
  ])('exits 2 on usage or config errors: %j', async (args, message) => {
    const { code, stderr } = await run(args);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });

  it('exits 2 on a broken config, with its problems', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-'));
    writeFileSync(join(dir, 'autopilot.yaml'), 'rules: [{ match: { tag: "re:(" } }]\n');
    const { code, stderr } = await run(
      ['simulate', '--event', fixturePath('events/acr-webhook/push.json')],
      dir,
    );
    expect(code).toBe(2);
    expect(stderr).toContain('rules[0].match.tag: invalid regex');
  });
});

describe('acr-autopilot config', () => {
  it('check: 0 for a valid file, with warnings for unset app settings', async () => {
    const { code, stdout } = await run([
      'config',
      'check',
      '--config',
      join(repoRoot, 'autopilot.example.yaml'),
    ]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/valid \(2 rule\(s\)\)/);
    expect(stdout).toContain('gitops.fleet.tokenFrom: app setting GITOPS_TOKEN is not set');
  });

  it('check: 1 with every problem and its line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-'));
    writeFileSync(join(dir, 'autopilot.yaml'), 'rules:\n  - match: { tag: "re:(" }\n    deploy: [x]\n');
    const { code, stdout } = await run(['config', 'check', '--json'], dir);
    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toEqual({
      ok: false,
      issues: [
        { path: 'rules[0].match.tag', message: 'invalid regex "(": unterminated group', line: 2 },
        { path: 'rules[0].deploy[0]', message: 'unknown deploy target "x"; none is defined', line: 3 },
      ],
    });
  });

  it('check: 1 when a Teams channel setting holds a retired Office 365 connector URL', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-'));
    writeFileSync(join(dir, 'autopilot.yaml'), 'teams: { platform: { urlFrom: TEAMS_URL } }\n');
    let stderr = '';
    const code = await runCli(['config', 'check'], {
      stdout: () => undefined,
      stderr: (text) => void (stderr += text),
      cwd: dir,
      env: { TEAMS_URL: 'https://contoso.webhook.office.com/webhookb2/abc/IncomingWebhook/def/ghi' },
    });
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /teams\.platform\.urlFrom: the app setting TEAMS_URL holds a retired Office 365 connector/,
    );
    expect(stderr).toContain('Post to a channel when a webhook request is received');
    expect(stderr).not.toContain('webhookb2/abc');
  });

  it('check: 2 when there is no file to check', async () => {
    expect((await run(['config', 'check'])).code).toBe(2);
  });

  it('schema: prints a JSON Schema that describes the config', async () => {
    const { code, stdout } = await run(['config', 'schema']);
    expect(code).toBe(0);
    const schema = JSON.parse(stdout) as {
      properties: Record<string, unknown>;
      additionalProperties: boolean;
    };
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(['rules', 'gitops', 'teams', 'deployTargets', 'retention', 'ingress']),
    );
    expect(schema.additionalProperties).toBe(false);
  });

  it('schema: refuses an option it does not have, naming it, exit 2', async () => {
    const { code, stdout, stderr } = await run(['config', 'schema', '--bogus']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^error: unknown option '--bogus'\n[\s\S]*Usage: acr-autopilot config schema/);
  });

  it('reference: prints every key as the Markdown table README embeds', async () => {
    const { code, stdout } = await run(['config', 'reference']);
    expect(code).toBe(0);
    expect(stdout).toBe(configReferenceMarkdown(configJsonSchema()));
    expect(stdout).toMatch(/^\| key \| type \| default \| meaning \|\n/);
    expect(stdout).toContain('| `rules[].match.tag` |');
  });
});
