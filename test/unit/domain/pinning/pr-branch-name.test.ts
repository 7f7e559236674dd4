import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { prBranchName } from '../../../../shared/domain/pinning/pr-branch-name';

const run = promisify(execFile);

/** Asks git itself: `git check-ref-format --branch` prints the name when it is valid, fails otherwise. */
async function gitAccepts(branch: string): Promise<boolean> {
  try {
    const { stdout } = await run('git', ['check-ref-format', '--branch', branch]);
    return stdout.trim() === branch;
  } catch {
    return false;
  }
}

describe('prBranchName', () => {
  it.each([
    ['payments/api', '1.4.2', 'autopilot/payments-api-1.4.2'],
    ['web', 'latest', 'autopilot/web-latest'],
    ['team/sub/app', 'v1.0.0-rc.1', 'autopilot/team-sub-app-v1.0.0-rc.1'],
    ['app', '1..2', 'autopilot/app-1.2'],
    ['app', 'x.lock', 'autopilot/app-x-lock'],
    ['app', 'a@{b}', 'autopilot/app-a-{b}'],
    ['.hidden', 'tag.', 'autopilot/hidden-tag'],
    ['app', 'weird tag:~^?*[\\', 'autopilot/app-weird-tag-------'],
  ])('names %s:%s %s', async (repository, tag, expected) => {
    const branch = prBranchName(repository, tag);

    expect(branch).toBe(expected);
    expect(await gitAccepts(branch)).toBe(true);
  });

  it('keeps long names short and distinct', () => {
    const long = 'a'.repeat(200);

    const one = prBranchName('team/app', `${long}1`);
    const two = prBranchName('team/app', `${long}2`);

    expect(one.length).toBeLessThanOrEqual('autopilot/'.length + 120);
    expect(one).not.toBe(two);
  });

  it('always yields a ref name git accepts', async () => {
    const samples = fc.sample(fc.tuple(fc.string({ maxLength: 40 }), fc.string({ maxLength: 40 })), {
      numRuns: 60,
      seed: 42,
    });
    const rejected: string[] = [];

    for (const [repository, tag] of samples) {
      const branch = prBranchName(repository, tag);
      if (!branch.startsWith('autopilot/') || !(await gitAccepts(branch)))
        rejected.push(JSON.stringify([repository, tag, branch]));
    }

    expect(rejected).toEqual([]);
  });
});
