import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, missingSettings, parseConfig } from '../../../shared/config/load-config';
import { ConfigError } from '../../../shared/domain/errors';
import { repoRoot } from '../../helpers/fixtures';

function problems(yaml: string) {
  try {
    parseConfig(yaml);
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('parseConfig', () => {
  it('applies defaults to an empty file', () => {
    const config = parseConfig('');
    expect(config.rules).toEqual([]);
    expect(config.ingress).toEqual({
      webhookHeader: 'Authorization',
      dedupeWindow: 86_400_000,
      registries: [],
      eventGrid: {},
    });
    expect(config.retention).toBeUndefined();
  });

  it('reports every problem at once with its YAML path and line', () => {
    const issues = problems(`rules:
  - match: { repository: a }
  - match: { repository: b }
  - match:
      repository: c
      tag: 're:v('
    deploy: [nowhere]
`);
    expect(issues).toEqual([
      { path: 'rules[2].match.tag', message: 'invalid regex "v(": unterminated group', line: 6 },
      { path: 'rules[2].deploy[0]', message: 'unknown deploy target "nowhere"; none is defined', line: 7 },
    ]);
  });

  it('catches typos in keys instead of ignoring them', () => {
    expect(problems('rules:\n  - mach: { repository: a }\n')).toContainEqual({
      path: 'rules[0].mach',
      message: 'unknown key "mach"',
      line: 2,
    });
  });

  it.each([
    ['a bad duration', 'ingress: { dedupeWindow: 1 day }', 'ingress.dedupeWindow', /duration like 30s/],
    [
      'a secret pasted into a *From field',
      'teams: { t: { urlFrom: "https://x.logic.azure.com/?sig=abc" } }',
      'teams.t.urlFrom',
      /must name an app setting/,
    ],
    [
      'a bad semver range',
      'rules: [{ match: { tag: "semver:>=banana" } }]',
      'rules[0].match.tag',
      /invalid semver range/,
    ],
    ['an unknown deploy type', 'deployTargets: { d: { type: jenkins } }', 'deployTargets.d.type', /./],
    [
      'an unknown gitops repo',
      'rules: [{ match: {}, pin: { repo: fleet } }]',
      'rules[0].pin.repo',
      /unknown gitops repo "fleet"/,
    ],
    [
      'an unknown channel',
      'teams: { a: { urlFrom: A } }\nrules: [{ match: {}, notify: [b] }]',
      'rules[0].notify[0]',
      /defined: a/,
    ],
    ['a 5-field cron', 'retention: { schedule: "0 3 * * *" }', 'retention.schedule', /six NCRONTAB fields/],
  ])('rejects %s', (_name, yaml, path, message) => {
    expect(problems(yaml)).toContainEqual(
      expect.objectContaining({ path, message: expect.stringMatching(message) }),
    );
  });

  it('reports YAML syntax errors with their line', () => {
    expect(problems('rules:\n  - match: { repository: a\n')).toEqual([
      expect.objectContaining({
        path: '',
        message: expect.stringMatching(/^YAML: /),
        line: expect.any(Number),
      }),
    ]);
  });

  it('rejects duplicate keys', () => {
    expect(problems('ingress: {}\ningress: {}\n')[0]?.message).toMatch(/unique|duplicate/i);
  });

  it('puts the summary and each problem in the error message', () => {
    expect(() => parseConfig('rules: [{ match: { tag: "re:(" } }]', 'autopilot.yaml')).toThrow(
      /autopilot.yaml has 1 problem:\n {2}rules\[0\]\.match\.tag: invalid regex/,
    );
  });
});

describe('loadConfig', () => {
  it('accepts the shipped example and lists the app settings it names that are not set', async () => {
    const loaded = await loadConfig(join(repoRoot, 'autopilot.example.yaml'), { GITOPS_TOKEN: 'x' });
    expect(loaded.config.rules.length).toBeGreaterThan(0);
    expect(loaded.warnings).toEqual([
      { path: 'teams.platform.urlFrom', message: 'app setting TEAMS_PLATFORM_WEBHOOK is not set' },
      { path: 'deployTargets.payments-prod.tokenFrom', message: 'app setting GH_TOKEN is not set' },
    ]);
  });

  it('runs with no rules when an optional file is missing, and says how to add one', async () => {
    const loaded = await loadConfig('/nonexistent/autopilot.yaml', {}, { optional: true });
    expect(loaded.config.rules).toEqual([]);
    expect(loaded.warnings[0]?.message).toContain('AUTOPILOT_CONFIG');
  });

  it('names the setting to fix when a required file is missing', async () => {
    await expect(loadConfig('/nonexistent/autopilot.yaml', {})).rejects.toThrow(
      /set the app setting AUTOPILOT_CONFIG/,
    );
  });

  it('reads a file from disk', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    writeFileSync(join(dir, 'a.yaml'), 'rules: [{ match: { repository: "x/*" } }]\n');
    expect((await loadConfig(join(dir, 'a.yaml'), {})).config.rules).toHaveLength(1);
  });
});

describe('missingSettings', () => {
  it('finds *From fields at any depth and ignores set ones', () => {
    const config = parseConfig(`
gitops: { a: { url: https://x.io/a.git, tokenFrom: SET, usernameFrom: UNSET } }
retention: { registries: [{ name: r, type: oci, url: "https://x.io", usernameFrom: SET, passwordFrom: PW }] }
`);
    expect(missingSettings(config, { SET: 'v' }).map((issue) => issue.path)).toEqual([
      'gitops.a.usernameFrom',
      'retention.registries[0].passwordFrom',
    ]);
  });
});
