import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateTeamsMessage } from '../../../shared/adapters/teams/validate-card';
import { runCli } from '../../../shared/cli/main';
import { fixturePath, repoRoot } from '../../helpers/fixtures';

/** Runs `acr-autopilot card …` through the CLI's entry point. */
async function run(args: string[], cwd = mkdtempSync(join(tmpdir(), 'card-'))) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['card', ...args], {
    stdout: (text: string) => void (stdout += text),
    stderr: (text: string) => void (stderr += text),
    cwd,
    env: {},
  });
  return { code, stdout, stderr, cwd };
}

const push = fixturePath('events/acr-webhook/push.json');

describe('acr-autopilot card', () => {
  it('prints only the envelope with --json, a valid Workflows message for the push', async () => {
    const { code, stdout, stderr } = await run(['--event', push, '--json']);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    const message = JSON.parse(stdout) as unknown;
    expect(message).toMatchObject({
      type: 'message',
      attachments: [
        { contentType: 'application/vnd.microsoft.card.adaptive', content: { type: 'AdaptiveCard' } },
      ],
    });
    expect(validateTeamsMessage(message, 'envelope')).toEqual([]);
    expect(stdout).toContain('hello-world');
  });

  it('prints a short summary before the JSON without --json', async () => {
    const { code, stdout } = await run(['--event', push]);
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /^pushed card for myregistry.azurecr.io\/hello-world:v1@sha256:80f0d5c8786b: Workflows envelope, \d+ bytes, valid Adaptive Card 1.4\n\{/,
    );
  });

  it('shows a deleted card for a delete event', async () => {
    const { code, stdout } = await run(['--event', fixturePath('events/event-grid/image-deleted.json')]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^deleted card for /);
  });

  it.each(['pinned', 'deployed', 'retention', 'failed'])(
    'builds a sample %s outcome and says so',
    async (kind) => {
      const config = join(repoRoot, 'autopilot.example.yaml');
      const human = await run(['--event', push, '--kind', kind, '--config', config]);
      expect(human.code).toBe(0);
      expect(human.stdout).toMatch(
        new RegExp(`^${kind} card for .*\\n\\(a sample ${kind} outcome built from`),
      );
      const json = await run(['--event', push, '--kind', kind, '--config', config, '--json']);
      expect(json.code).toBe(0);
      expect(validateTeamsMessage(JSON.parse(json.stdout), 'envelope')).toEqual([]);
      expect(json.stderr).toMatch(/a sample .* outcome/);
    },
  );

  it('prints one envelope per event of an Event Grid delivery, as an array', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'card-'));
    const file = join(dir, 'delivery.json');
    const pushed = JSON.parse(
      readFileSync(fixturePath('events/event-grid/image-pushed.json'), 'utf8'),
    ) as unknown[];
    const deleted = JSON.parse(
      readFileSync(fixturePath('events/event-grid/image-deleted.json'), 'utf8'),
    ) as unknown[];
    writeFileSync(file, JSON.stringify([...pushed, ...deleted]));
    const { code, stdout } = await run(['--event', file, '--json']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toHaveLength(2);
  });

  it('writes an HTML preview with --html FILE, relative to the working directory', async () => {
    const { code, stdout, cwd } = await run(['--event', push, '--html', 'card.html']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/wrote .*card\.html\n$/);
    const page = readFileSync(join(cwd, 'card.html'), 'utf8');
    expect(page).toMatch(/^<!doctype html>/);
    expect(page).toContain('hello-world');
  });

  it('writes --html without a path outside the working tree (the OS temp dir) and says where', async () => {
    // Run from the repository: a preview there would trip npm test's prettier and eslint.
    const { code, stdout } = await run(['--event', push, '--html'], repoRoot);
    expect(code).toBe(0);
    const file = /wrote (.+)\n$/.exec(stdout)?.[1] ?? '';
    try {
      expect(file.startsWith(join(tmpdir(), 'acr-autopilot-card-'))).toBe(true);
      expect(relative(repoRoot, file).startsWith('..')).toBe(true);
      expect(readFileSync(file, 'utf8')).toContain('hello-world');
    } finally {
      if (file) rmSync(dirname(file), { recursive: true, force: true });
    }
  });

  it('with --json keeps stdout pure JSON and says on stderr where the preview went', async () => {
    const { code, stdout, stderr, cwd } = await run(['--event', push, '--html', '--json']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ type: 'message' });
    const file = /wrote (.+)\n$/.exec(stderr)?.[1] ?? '';
    expect(existsSync(file)).toBe(true);
    expect(readdirSync(cwd)).toEqual([]);
    rmSync(dirname(file), { recursive: true, force: true });
  });

  it('exits 1 for an invalid event, listing the problems', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'card-'));
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ action: 'push', target: { tag: 7 } }));
    const { code, stdout, stderr } = await run(['--event', 'bad.json'], dir);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/invalid event:\n {2}target\./);
  });

  it('exits 1 when the file holds no event that makes a card', async () => {
    const { code, stderr } = await run(['--event', fixturePath('events/acr-webhook/ping.json')]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/no card: .*ping[\s\S]*holds no push or delete event/);
  });

  it.each([
    [[], /required option '--event <file>' not specified/],
    [
      ['--event', push, '--kind', 'cleaned'],
      /argument 'cleaned' is invalid\. Allowed choices are pushed, deleted, pinned, deployed, retention, failed/,
    ],
    [['--event', push, '--bogus'], /unknown option '--bogus'/],
    [['--event', 'missing.json'], /cannot read .*missing\.json/],
    [['--event', push, '--html', '/nonexistent-dir/x/card.html'], /cannot write/],
  ])('exits 2 on usage errors (%j)', async (args, message) => {
    const { code, stderr } = await run(args);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });
});
