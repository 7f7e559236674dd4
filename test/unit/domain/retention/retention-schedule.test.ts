import { describe, expect, it } from 'vitest';
import {
  latestOccurrence,
  runScheduledRetention,
} from '../../../../shared/domain/retention/retention-schedule';
import { memoryRegistry } from '../../../helpers/memory-registry';
import { retentionTestDeps } from '../../../helpers/retention-deps';
import { repository, tag } from '../../../helpers/retention-builders';

const yaml = (schedule: string) => `
retention:
  schedule: "${schedule}"
  dryRun: true
  registries: [{ name: prod, type: acr, loginServer: prod.azurecr.io }]
  policies: [{ repositories: ['**'], keep: { newest: 1 } }]
`;

describe('latestOccurrence', () => {
  it.each([
    ['0 0 3 * * *', '2026-06-01T10:00:00Z', '2026-06-01T03:00:00.000Z'],
    ['0 0 3 * * *', '2026-06-01T03:00:00Z', '2026-06-01T03:00:00.000Z'],
    ['0 0 3 * * *', '2026-06-01T02:59:59Z', '2026-05-31T03:00:00.000Z'],
    ['0 30 */6 * * 1-5', '2026-06-06T12:00:00Z', '2026-06-05T18:30:00.000Z'],
  ])('%s at %s → %s', (schedule, now, expected) => {
    expect(latestOccurrence(schedule, new Date(now))?.toISOString()).toBe(expected);
  });

  it('follows WEBSITE_TIME_ZONE', () => {
    expect(
      latestOccurrence('0 0 3 * * *', new Date('2026-06-01T10:00:00Z'), 'Europe/Berlin')?.toISOString(),
    ).toBe('2026-06-01T01:00:00.000Z');
  });
});

describe('runScheduledRetention', () => {
  function setup(schedule: string, at: string) {
    let now = new Date(at);
    const backend = memoryRegistry([repository('app', [tag('v1', 'A', 1)])]);
    const deps = retentionTestDeps({ yaml: yaml(schedule), backends: { prod: backend }, now: () => now });
    return { deps, backend, at: (time: string) => (now = new Date(time)) };
  }

  it('runs each occurrence once, on the first tick after it', async () => {
    const { deps, backend, at } = setup('0 0 3 * * *', '2026-06-01T03:00:30Z');
    const first = await runScheduledRetention(deps, { notify: [] });
    expect(first).toMatchObject({ kind: 'ran', occurrence: '2026-06-01T03:00:00.000Z' });
    expect(backend.calls).toContain('inventory app');
    at('2026-06-01T03:05:00Z');
    expect(await runScheduledRetention(deps, { notify: [] })).toEqual({
      kind: 'not-due',
      next: '2026-06-02T03:00:00.000Z',
    });
    at('2026-06-02T03:04:59Z');
    expect((await runScheduledRetention(deps, { notify: [] })).kind).toBe('ran');
  });

  it('does not run an occurrence missed by more than an hour (a fresh deployment at noon)', async () => {
    const { deps, backend } = setup('0 0 3 * * *', '2026-06-01T12:00:00Z');
    expect((await runScheduledRetention(deps, { notify: [] })).kind).toBe('not-due');
    expect(backend.calls).toEqual([]);
  });

  it('lets one instance run an occurrence when two tick at once', async () => {
    const { deps } = setup('0 0 3 * * *', '2026-06-01T03:01:00Z');
    const outcomes = await Promise.all([
      runScheduledRetention(deps, { notify: [] }),
      runScheduledRetention(deps, { notify: [] }),
    ]);
    expect(outcomes.map((outcome) => outcome.kind).sort()).toEqual(['claimed-elsewhere', 'ran']);
  });

  it('does nothing without a retention section', async () => {
    const deps = retentionTestDeps({ yaml: 'rules: []', backends: {} });
    expect(await runScheduledRetention(deps, { notify: [] })).toEqual({ kind: 'not-configured' });
  });
});

describe('schedule problems', () => {
  it('names the setting to fix when WEBSITE_TIME_ZONE is not an IANA time zone', () => {
    expect(() => latestOccurrence('0 0 3 * * *', new Date(), 'W. Europe Standard Time')).toThrow(
      /set the app setting WEBSITE_TIME_ZONE to an IANA time zone/,
    );
  });
});
