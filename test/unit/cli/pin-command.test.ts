import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../shared/cli/main';
import { unifiedDiff } from '../../../shared/cli/unified-diff';
import { fixturePath } from '../../helpers/fixtures';

const DIGEST = 'sha256:d33b0af8c00dd9446075b2bcebe7934fa85fc35f01cfd9595c37e8d45114a549';
const OLD = 'sha256:cba06b5736faf67e54b07b561eae94395e774c517a7d910a54369e1263ccfbd4';
const REF = 'myreg.azurecr.io/payments/api';
const IMAGE = `${REF}:1.4.2@${DIGEST}`;

async function run(args: string[], cwd = tmpdir()) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['pin', ...args], {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    cwd,
    env: {},
  });
  return { code, stdout, stderr };
}

/** A temp dir holding `files` (path → content). */
function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'pin-cli-'));
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), content);
  }
  return dir;
}

/** The kustomization golden case copied to a temp dir. */
function kustomizeCase(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pin-cli-'));
  cpSync(fixturePath('pinning/kustomization/before'), dir, { recursive: true });
  return dir;
}

const read = (dir: string, file: string) => readFileSync(join(dir, file), 'utf8');
const golden = (file: string) => read(fixturePath('pinning/kustomization/after'), file);
const goldenFiles = [
  'apps/payments/base/deployment.yaml',
  'apps/payments/base/kustomization.yaml',
  'apps/payments/overlays/prod/kustomization.yaml',
  'apps/payments/overlays/staging/kustomization.yaml',
  'clusters/prod/payments.yaml',
];

describe('acr-autopilot pin', () => {
  it('rewrites the YAML files under DIR in place, like the golden case, and says what it did', async () => {
    const dir = kustomizeCase();
    const { code, stdout, stderr } = await run(['--dir', dir, '--image', IMAGE]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    for (const file of goldenFiles) expect(read(dir, file), file).toBe(golden(file));
    expect(stdout).toMatch(
      /^pinned myreg.azurecr.io\/payments\/api:1.4.2@sha256:d33b0af8c00d: 5 line\(s\) in 4 file\(s\)\n/,
    );
    expect(stdout).toContain(
      `  apps/payments/overlays/prod/kustomization.yaml:8\n    - digest: ${OLD}\n    + digest: ${DIGEST}\n`,
    );
    expect(stdout).toContain(
      '1 mention skipped: 1 other tag\n  apps/payments/overlays/prod/kustomization.yaml:10: other tag 1.4.1 (pushed 1.4.2)\n',
    );

    // Run again: nothing to change, and every mention says why.
    const again = await run(['--dir', dir, '--image', IMAGE]);
    expect(again).toMatchObject({ code: 0, stderr: '' });
    expect(again.stdout).toMatch(
      new RegExp(
        `^no reference to change for ${REF}:1\\.4\\.2@sha256:d33b0af8c00d\n` +
          '6 mentions skipped: 5 already pinned, 1 other tag\n',
      ),
    );
    expect(again.stdout).toContain(`  clusters/prod/payments.yaml:15: already pinned to ${DIGEST}\n`);
  });

  it('prints exactly the engine result with --json: paths relative to DIR, 1-based lines', async () => {
    const dir = tree({
      'apps/api.yaml': `kind: Pod\nspec:\n  containers:\n    - image: ${REF}:1.4.2\n      name: api\n`,
    });
    const { code, stdout } = await run(['--dir', dir, '--image', IMAGE, '--json']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({
      changes: [
        {
          file: 'apps/api.yaml',
          line: 4,
          before: `    - image: ${REF}:1.4.2`,
          after: `    - image: ${IMAGE}`,
        },
      ],
      skipped: [],
      mentions: [{ file: 'apps/api.yaml', line: 4, outcome: 'pinned', changedLine: 4 }],
    });
    expect(read(dir, 'apps/api.yaml')).toContain(IMAGE);
  });

  it('lists every line naming the repository with --json: pinned, or skipped with a reason and a kind', async () => {
    const dir = tree({
      'values.yaml': [
        '# payments/api is pinned by acr-autopilot',
        'api:',
        `  image: ${REF}`,
        '  tag: 1.4.2',
        `legacy: {image: ${REF}, tag: 1.4.1}`,
        `migrate: "{{ .Values.registry }}/payments/api:1.4.2"`,
        '',
      ].join('\n'),
    });
    const { code, stdout } = await run(['--dir', dir, '--image', IMAGE, '--json']);
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as {
      changes: { line: number }[];
      skipped: unknown[];
      mentions: unknown[];
    };
    expect(report.changes.map((change) => change.line)).toEqual([4]);
    expect(report.skipped).toEqual([
      { file: 'values.yaml', line: 1, kind: 'comment', reason: 'in a comment; comments are never edited' },
      { file: 'values.yaml', line: 5, kind: 'other-tag', reason: 'other tag 1.4.1 (pushed 1.4.2)' },
      {
        file: 'values.yaml',
        line: 6,
        kind: 'not-an-image-field',
        reason: expect.stringContaining('`migrate`'),
      },
    ]);
    expect(report.mentions).toEqual([
      { file: 'values.yaml', line: 1, outcome: 'skipped' },
      { file: 'values.yaml', line: 3, outcome: 'pinned', changedLine: 4 },
      { file: 'values.yaml', line: 5, outcome: 'skipped' },
      { file: 'values.yaml', line: 6, outcome: 'skipped' },
    ]);
  });

  it('writes nothing with --json --dry-run', async () => {
    const content = `image: ${REF}:1.4.2\n`;
    const dir = tree({ 'a.yaml': content });
    const { stdout } = await run(['--dir', dir, '--image', IMAGE, '--json', '--dry-run']);
    expect(JSON.parse(stdout)).toMatchObject({ changes: [{ file: 'a.yaml', line: 1 }] });
    expect(read(dir, 'a.yaml')).toBe(content);
  });

  it('prints a unified diff with --dry-run that matches diff -u, and writes nothing', async () => {
    const dir = kustomizeCase();
    const before = Object.fromEntries(goldenFiles.map((file) => [file, read(dir, file)]));
    const { code, stdout } = await run(['--dir', dir, '--image', IMAGE, '--dry-run']);
    expect(code).toBe(0);
    for (const file of goldenFiles) expect(read(dir, file)).toBe(before[file]);
    // Same hunks as diff(1) for every changed file (headers differ only by the timestamps).
    const expected = goldenFiles
      .filter((file) => before[file] !== golden(file))
      .map((file) => {
        const out = systemDiff(join(dir, file), fixturePath(`pinning/kustomization/after/${file}`));
        return [`--- a/${file}`, `+++ b/${file}`, ...out.split('\n').slice(2)].join('\n');
      })
      .join('');
    expect(stdout).toBe(expected);
    expect(stdout).toContain('@@ -9,6 +9,7 @@'); // the inserted kustomize digest line
  });

  it('leaves .git, node_modules and files outside --paths alone', async () => {
    const ref = `image: ${REF}:1.4.2\n`;
    const dir = tree({
      'apps/a.yml': ref,
      'apps/b.yaml': ref,
      'apps/c.json': ref,
      'docs/d.yaml': ref,
      '.git/e.yaml': ref,
      'node_modules/pkg/f.yaml': ref,
      '.github/g.yaml': ref,
    });
    const all = await run(['--dir', dir, '--image', IMAGE, '--json']);
    expect((JSON.parse(all.stdout) as { changes: { file: string }[] }).changes.map((c) => c.file)).toEqual([
      '.github/g.yaml',
      'apps/a.yml',
      'apps/b.yaml',
      'docs/d.yaml',
    ]);
    expect(read(dir, '.git/e.yaml')).toBe(ref);
    expect(read(dir, 'node_modules/pkg/f.yaml')).toBe(ref);
    expect(read(dir, 'apps/c.json')).toBe(ref);
  });

  it('honours --paths, --mode follow, --render digest-only and --tag-pattern', async () => {
    const dir = tree({
      'apps/a.yaml': `image: ${REF}:1.4.1\n`,
      'apps/b.yaml': `image: ${REF}:1.4.1\n`,
      'other/c.yaml': `image: ${REF}:1.4.1\n`,
    });
    const refused = await run([
      '--dir',
      dir,
      '--image',
      IMAGE,
      '--mode',
      'follow',
      '--tag-pattern',
      'semver:<1.4.0',
      '--json',
    ]);
    const other = (file: string) => ({
      file,
      line: 1,
      kind: 'other-tag',
      reason: expect.stringMatching(/^other tag 1\.4\.1 \(pushed 1\.4\.2\); follow moves only/),
    });
    expect(JSON.parse(refused.stdout)).toEqual({
      changes: [],
      skipped: [other('apps/a.yaml'), other('apps/b.yaml'), other('other/c.yaml')],
      mentions: ['apps/a.yaml', 'apps/b.yaml', 'other/c.yaml'].map((file) => ({
        file,
        line: 1,
        outcome: 'skipped',
      })),
    });

    const { stdout } = await run([
      '--dir',
      dir,
      '--image',
      IMAGE,
      '--paths',
      'apps/a.yaml',
      '--paths',
      'apps/b.*',
      '--mode',
      'follow',
      '--render',
      'digest-only',
      '--tag-pattern',
      'semver:^1.4.0',
    ]);
    expect(stdout).toContain('2 line(s) in 2 file(s)');
    expect(read(dir, 'apps/a.yaml')).toBe(`image: ${REF}@${DIGEST}\n`);
    expect(read(dir, 'apps/b.yaml')).toBe(`image: ${REF}@${DIGEST}\n`);
    expect(read(dir, 'other/c.yaml')).toBe(`image: ${REF}:1.4.1\n`);
  });

  it('keeps CRLF line ends and a byte-order mark', async () => {
    const dir = tree({
      'a.yaml': `\uFEFFkind: Pod\r\nspec:\r\n  containers:\r\n    - image: ${REF}:1.4.2\r\n`,
    });
    const { stdout } = await run(['--dir', dir, '--image', IMAGE, '--dry-run']);
    expect(stdout).toBe(
      `--- a/a.yaml\n+++ b/a.yaml\n@@ -1,4 +1,4 @@\n \uFEFFkind: Pod\n spec:\n   containers:\n-    - image: ${REF}:1.4.2\n+    - image: ${IMAGE}\n`,
    );
    await run(['--dir', dir, '--image', IMAGE]);
    expect(read(dir, 'a.yaml')).toBe(
      `\uFEFFkind: Pod\r\nspec:\r\n  containers:\r\n    - image: ${IMAGE}\r\n`,
    );
  });

  it.each([
    ['no digest', `${REF}:1.4.2`, /has no digest/],
    ['a short digest', `${REF}:1.4.2@sha256:feed`, /invalid digest "sha256:feed"/],
    ['an upper-case repository', 'myreg.azurecr.io/Payments/api:1.4.2@' + DIGEST, /must be lowercase/],
  ])('exits 1 for a REF with %s', async (_name, image, message) => {
    const dir = tree({ 'a.yaml': `image: ${REF}:1.4.2\n` });
    const { code, stdout, stderr } = await run(['--dir', dir, '--image', image]);
    expect({ code, stdout }).toEqual({ code: 1, stdout: '' });
    expect(stderr).toMatch(message);
    expect(read(dir, 'a.yaml')).toBe(`image: ${REF}:1.4.2\n`);
  });

  it('exits 0 and says so for a digest-only REF', async () => {
    const dir = tree({ 'a.yaml': `image: ${REF}:1.4.2\n` });
    const { code, stderr } = await run(['--dir', dir, '--image', `${REF}@${DIGEST}`]);
    expect(code).toBe(0);
    expect(stderr).toMatch(/REF has no tag/);
  });

  it.each([
    ['no --dir', ['--image', IMAGE], /required option '--dir <dir>' not specified/],
    ['no --image', ['--dir', '.'], /required option '--image <ref>' not specified/],
    [
      'an unknown mode',
      ['--dir', '.', '--image', IMAGE, '--mode', 'track'],
      /option '--mode <mode>' argument 'track' is invalid\. Allowed choices are pin, follow\./,
    ],
    [
      'an unknown render',
      ['--dir', '.', '--image', IMAGE, '--render', 'tag'],
      /Allowed choices are tag-and-digest, digest-only/,
    ],
    [
      'a bad tag pattern',
      ['--dir', '.', '--image', IMAGE, '--tag-pattern', 'semver:>>1'],
      /--tag-pattern: invalid semver range/,
    ],
    ['a missing directory', ['--dir', 'no/such/dir', '--image', IMAGE], /is not a directory/],
    ['an unknown option', ['--dir', '.', '--image', IMAGE, '--dryrun'], /unknown option '--dryrun'/],
  ])('refuses %s with exit 2, saying why', async (_name, args, message) => {
    const { code, stdout, stderr } = await run(args);
    expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
    expect(stderr).toMatch(message);
  });

  it('takes --paths more than once', async () => {
    const dir = tree({
      'a.yaml': `image: ${REF}:1.4.2\n`,
      'b.yml': `image: ${REF}:1.4.2\n`,
      'c.yaml': `image: ${REF}:1.4.2\n`,
    });
    const { stdout } = await run([
      '--dir',
      dir,
      '--image',
      IMAGE,
      '--paths',
      'a.yaml',
      '--paths',
      'b.yml',
      '--json',
    ]);
    const { changes } = JSON.parse(stdout) as { changes: { file: string }[] };
    expect(changes.map((change) => change.file)).toEqual(['a.yaml', 'b.yml']);
  });

  it('has --help naming every option, with an example', async () => {
    const { code, stdout } = await run(['--help']);
    expect(code).toBe(0);
    for (const option of [
      '--dir',
      '--image',
      '--paths',
      '--mode',
      '--render',
      '--tag-pattern',
      '--dry-run',
      '--json',
      '--config',
    ]) {
      expect(stdout).toContain(option);
    }
    expect(stdout).toMatch(/Example:\n {2}\$ acr-autopilot pin --dir /);
  });
});

describe('unifiedDiff', () => {
  it('shows an inserted line, separate hunks and a last line without a line break', () => {
    const before = Array.from({ length: 20 }, (_, i) => `line ${i + 1}`).join('\n');
    const lines = before.split('\n');
    lines.splice(2, 0, 'inserted');
    lines[17] = 'changed 17';
    lines[20] = 'changed 20';
    const after = lines.join('\n');
    const dir = tree({ a: before, b: after });
    const expected = systemDiff(join(dir, 'a'), join(dir, 'b')).split('\n').slice(2).join('\n');
    expect(unifiedDiff('f', before, after)).toBe(`--- a/f\n+++ b/f\n${expected}`);
    expect(unifiedDiff('f', before, before)).toBe('');
  });
});

function systemDiff(a: string, b: string): string {
  try {
    execFileSync('diff', ['-u', a, b], { encoding: 'utf8' });
    return '';
  } catch (error) {
    return (error as { stdout: string }).stdout;
  }
}
