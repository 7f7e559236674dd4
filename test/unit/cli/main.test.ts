import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../../shared/cli/cli-io';
import { buildProgram, runCli } from '../../../shared/cli/main';
import { repoRoot } from '../../helpers/fixtures';

async function run(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    cwd: mkdtempSync(join(tmpdir(), 'cli-main-')),
    env: {},
  });
  return { code, stdout, stderr };
}

const silent: CliIo = { stdout: () => undefined, stderr: () => undefined, cwd: tmpdir(), env: {} };

/** Every command as typed after `acr-autopilot` ("config check"), parents before their subcommands. */
function commandPaths(command: Command, prefix = ''): { path: string; leaf: boolean }[] {
  return command.commands.flatMap((sub) => {
    const path = `${prefix}${sub.name()}`;
    return [{ path, leaf: sub.commands.length === 0 }, ...commandPaths(sub, `${path} `)];
  });
}

const commands = commandPaths(buildProgram(silent));
const leaves = commands.filter((command) => command.leaf).map((command) => command.path);
const version = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string })
  .version;

describe('acr-autopilot', () => {
  it('knows the commands the README documents', () => {
    expect(leaves).toEqual([
      'simulate',
      'config check',
      'config schema',
      'config reference',
      'pin',
      'card',
      'deploy',
      'retention plan',
      'retention apply',
      'trace',
      'queues',
      'poison list',
      'poison requeue',
    ]);
  });

  it.each(commands.map((command) => [command.path, command.leaf] as const))(
    '%s --help and -h print its usage (with an example for a command that runs), exit 0',
    async (path, leaf) => {
      for (const flag of ['--help', '-h']) {
        const { code, stdout, stderr } = await run([...path.split(' '), flag]);
        expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
        expect(stdout).toMatch(new RegExp(`^Usage: acr-autopilot ${path} \\[options\\]`));
        if (leaf)
          expect(stdout).toMatch(new RegExp(`\\nExample:\\n[\\s\\S]* {2}\\$ acr-autopilot ${path}[ \\n]`));
      }
    },
  );

  it('--help lists every command, the exit codes and where to read more', async () => {
    const { code, stdout } = await run(['--help']);
    expect(code).toBe(0);
    for (const name of [
      'simulate',
      'config',
      'pin',
      'card',
      'deploy',
      'retention',
      'trace',
      'queues',
      'poison',
    ]) {
      expect(stdout).toMatch(new RegExp(`\\n {2}${name} `));
    }
    expect(stdout).toContain('Exit codes: 0 fine, 1 the input has problems, 2 usage or configuration error.');
    expect((await run(['help'])).stdout).toBe(stdout);
    expect(await run(['help', 'pin'])).toEqual({ ...(await run(['pin', '--help'])), code: 0 });
  });

  it.each([['--version'], ['-V']])('%s prints the package.json version, exit 0', async (flag) => {
    expect(await run([flag])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('with no command prints the help on stderr, exit 2', async () => {
    const { code, stdout, stderr } = await run([]);
    expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
    expect(stderr).toMatch(/^Usage: acr-autopilot \[options\] \[command\]/);
    expect(stderr).toContain('retention');
  });

  it.each([
    ['config', /^Usage: acr-autopilot config \[options\] \[command\][\s\S]*reference/],
    ['retention', /^Usage: acr-autopilot retention \[options\] \[command\][\s\S]*apply/],
    ['poison', /^Usage: acr-autopilot poison \[options\] \[command\][\s\S]*requeue/],
  ])('%s without a subcommand prints its help on stderr, exit 2', async (name, help) => {
    const { code, stdout, stderr } = await run([name]);
    expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
    expect(stderr).toMatch(help);
  });

  it.each(leaves)('%s --bogus names the option and shows the usage, exit 2', async (path) => {
    // Before any check of required options: a typo is named, not the option it was meant to be.
    const { code, stdout, stderr } = await run([...path.split(' '), '--bogus']);
    expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
    expect(stderr).toMatch(
      new RegExp(`^error: unknown option '--bogus'\\n\\nUsage: acr-autopilot ${path} \\[options\\]`),
    );
  });

  it('suggests the option meant', async () => {
    const { code, stderr } = await run(['simulate', '--evnt', 'push.json']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^error: unknown option '--evnt'\n\(Did you mean --event\?\)/);
  });

  it.each([
    [['frobnicate'], /^error: unknown command 'frobnicate'\n[\s\S]*Usage: acr-autopilot \[options\]/],
    [['config', 'lint'], /^error: unknown command 'lint'\n[\s\S]*Usage: acr-autopilot config /],
    [['retention', 'run'], /^error: unknown command 'run'\n[\s\S]*Usage: acr-autopilot retention /],
    [['config', 'schema', 'extra'], /^error: too many arguments for 'schema'/],
  ])('refuses %j with the usage, exit 2', async (args, message) => {
    const { code, stdout, stderr } = await run(args);
    expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
    expect(stderr).toMatch(message);
  });

  it.each([
    [['simulate'], '--event <file>'],
    [['card'], '--event <file>'],
    [['deploy', '--event', 'push.json'], '--target <name>'],
    [['deploy', '--target', 'web'], '--event <file>'],
    [['pin', '--image', 'x'], '--dir <dir>'],
  ])('%j names the missing required option, exit 2', async (args, option) => {
    const { code, stdout, stderr } = await run(args);
    expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
    expect(stderr).toMatch(new RegExp(`^error: required option '${option}' not specified\\n\\nUsage: `));
  });
});

describe('acr-autopilot, the built bin', () => {
  const bin = join(repoRoot, 'dist', 'shared', 'cli', 'main.js');
  beforeAll(() => {
    if (!existsSync(bin)) throw new Error(`${bin} is missing: run npm run build first`);
  });

  /** `script` in bash with pipefail, so the status is the CLI's whenever it fails. */
  const shell = (script: string, cwd = repoRoot, env: NodeJS.ProcessEnv = process.env) =>
    spawnSync('bash', ['-c', `set -o pipefail; ${script}`], { cwd, env, encoding: 'utf8' });

  it('prints its version', () => {
    const result = shell(`node ${JSON.stringify(bin)} --version`);
    expect({ status: result.status, stdout: result.stdout }).toEqual({ status: 0, stdout: `${version}\n` });
  });

  it.each([
    ['head -1', 'reads one line, then closes the pipe'],
    ['true', 'closes the pipe before the CLI writes'],
  ])('ends quietly, exit 0, when piped into `%s` (%s)', (reader) => {
    const result = shell(`node ${JSON.stringify(bin)} config schema | ${reader}`);
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
  });

  it('config check sees the values of local.settings.json, as the host does', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-settings-'));
    const check = () =>
      shell(
        `node ${JSON.stringify(bin)} config check --config ${JSON.stringify(join(repoRoot, 'autopilot.example.yaml'))}`,
        dir,
        { PATH: process.env.PATH },
      );
    const without = check();
    expect(without.status).toBe(0);
    expect(without.stdout).toContain('gitops.fleet.tokenFrom: app setting GITOPS_TOKEN is not set');
    writeFileSync(
      join(dir, 'local.settings.json'),
      JSON.stringify({ IsEncrypted: false, Values: { GITOPS_TOKEN: 'ghp_fromLocalSettings' } }),
    );
    const withSettings = check();
    expect(withSettings.status).toBe(0);
    expect(withSettings.stdout).toMatch(/valid \(2 rule\(s\)\)/);
    expect(withSettings.stdout).not.toContain('GITOPS_TOKEN');
  });
});
