import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../../shared/config/load-config';
import type { DeployTargetOf } from '../../../../shared/domain/config/deploy-targets-schema';
import {
  parseRunDetails,
  pickDispatchedRun,
  workflowRunsRequest,
} from '../../../../shared/domain/deploy/github-requests';

const target = parseConfig(
  'deployTargets: { t: { type: github-workflow, repo: contoso/payments, workflow: deploy.yml, ref: refs/heads/release, tokenFrom: GH } }',
).deployTargets['t'] as DeployTargetOf<'github-workflow'>;

const since = new Date('2026-11-25T10:00:05.600Z');
const run = (id: number, created: string, extra: Record<string, unknown> = {}) => ({
  id,
  html_url: `https://github.com/contoso/payments/actions/runs/${id}`,
  created_at: created,
  event: 'workflow_dispatch',
  head_branch: 'release',
  ...extra,
});

describe('workflowRunsRequest', () => {
  it('asks for workflow_dispatch runs on the branch created since the dispatch, less the clock skew', () => {
    const request = workflowRunsRequest(target, since);
    expect(request.method).toBe('GET');
    expect(request.body).toBeUndefined();
    const url = new URL(request.url);
    expect(url.origin + url.pathname).toBe(
      'https://api.github.com/repos/contoso/payments/actions/workflows/deploy.yml/runs',
    );
    expect(Object.fromEntries(url.searchParams)).toEqual({
      event: 'workflow_dispatch',
      branch: 'release',
      created: '>=2026-11-25T09:59:55Z',
      per_page: '20',
    });
    expect(request.headers).toMatchObject({ 'x-github-api-version': '2022-11-28' });
  });
});

describe('pickDispatchedRun', () => {
  it.each<[string, unknown[], number | undefined, Set<number>?]>([
    ['no run yet', [], undefined],
    ['the one run created after the dispatch', [run(7, '2026-11-25T10:00:06Z')], 7],
    ['a run in the same second (created_at has whole seconds)', [run(7, '2026-11-25T10:00:05Z')], 7],
    [
      'the first run after the dispatch, not a later one',
      [run(9, '2026-11-25T10:00:09Z'), run(8, '2026-11-25T10:00:07Z')],
      8,
    ],
    [
      'one created after the dispatch over one just before it',
      [run(6, '2026-11-25T10:00:01Z'), run(8, '2026-11-25T10:00:07Z')],
      8,
    ],
    ['one within the clock skew when nothing is later', [run(6, '2026-11-25T10:00:01Z')], 6],
    ['none older than the clock skew', [run(5, '2026-11-25T09:50:00Z')], undefined],
    ['none from another branch', [run(7, '2026-11-25T10:00:06Z', { head_branch: 'main' })], undefined],
    ['none started by another event', [run(7, '2026-11-25T10:00:06Z', { event: 'push' })], undefined],
    [
      'none already claimed by an earlier dispatch',
      [run(7, '2026-11-25T10:00:06Z'), run(8, '2026-11-25T10:00:08Z')],
      8,
      new Set([7]),
    ],
  ])('picks %s', (_name, runs, expected, exclude) => {
    const picked = pickDispatchedRun(
      { total_count: runs.length, workflow_runs: runs },
      { since, ref: target.ref, ...(exclude ? { exclude } : {}) },
    );
    expect(picked?.id).toBe(expected);
    if (expected)
      expect(picked?.htmlUrl).toBe(`https://github.com/contoso/payments/actions/runs/${expected}`);
  });

  it('ignores an answer that is not a list of runs', () => {
    expect(pickDispatchedRun({ message: 'Not Found' }, { since, ref: 'main' })).toBeUndefined();
  });
});

describe('parseRunDetails', () => {
  it('reads the 200 answer of a dispatch with return_run_details', () => {
    expect(
      parseRunDetails({
        workflow_run_id: 11843920173,
        run_url: 'https://api.github.com/repos/contoso/payments/actions/runs/11843920173',
        html_url: 'https://github.com/contoso/payments/actions/runs/11843920173',
      }),
    ).toEqual({ id: 11843920173, htmlUrl: 'https://github.com/contoso/payments/actions/runs/11843920173' });
  });

  it.each([[undefined], [''], [{}], [{ workflow_run_id: '1', html_url: 'x' }]])(
    'gives undefined for %j (a 204 has no body)',
    (body) => {
      expect(parseRunDetails(body)).toBeUndefined();
    },
  );
});
