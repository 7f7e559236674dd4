import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpRequest, InvocationContext, type Timer } from '@azure/functions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { retentionRequest } from '../../../functions/retention-request';
import { retentionRun } from '../../../functions/retention-run';
import { retentionTimer } from '../../../functions/retention-timer';
import type { RetentionRequest } from '../../../shared/domain/messages/action-messages';
import { leaseScope } from '../../../shared/domain/retention/retention-lease';
import { debounceScope } from '../../../shared/domain/retention/retention-request';
import type { AzuriteHandle } from '../../../shared/local-host/azurite';
import { peekAll, startTestAzurite } from '../../helpers/azurite';
import {
  listTags,
  OCI_REGISTRY_START_TIMEOUT_MS,
  pushImage,
  startOciRegistry,
  type OciRegistry,
} from '../../helpers/oci-registry';
import { useTestRuntime } from '../../helpers/runtime';
import { sampleEvent } from '../../helpers/sample-event';

let azurite: AzuriteHandle;
let registry: OciRegistry;
const logs: string[] = [];
const dir = mkdtempSync(join(tmpdir(), 'retention-functions-'));

const context = (name: string, id = name) =>
  new InvocationContext({
    invocationId: id,
    functionName: name,
    logHandler: (level, ...args) => void logs.push(`${level} ${args.join(' ')}`),
  });
const timer: Timer = {
  isPastDue: false,
  schedule: { adjustForDST: false },
  scheduleStatus: { last: '', next: '', lastUpdated: '' },
};

function writeConfig(name: string, dryRun: boolean): string {
  const path = join(dir, `${name}.yaml`);
  writeFileSync(
    path,
    `
teams:
  platform: { urlFrom: TEAMS_URL }
retention:
  schedule: "0 0 3 * * *"
  dryRun: ${dryRun}
  debounce: 1m
  notify: [platform]
  registries:
    - { name: lab, type: oci, url: "${registry.url}" }
  policies:
    - repositories: ['${name}/**']
      keep: { newest: 1 }
`,
  );
  return path;
}

/** Three images in `<repo>`: old (2024), mid (2025), new (last week). */
async function seed(repo: string) {
  await pushImage(registry.url, repo, { tag: 'old', created: '2024-01-01T00:00:00Z' });
  await pushImage(registry.url, repo, { tag: 'mid', created: '2025-01-01T00:00:00Z' });
  await pushImage(registry.url, repo, { tag: 'new', created: new Date(Date.now() - 7 * 86_400_000) });
}

const runtimeFor = (config: string, clock?: () => Date) =>
  useTestRuntime(
    {
      AzureWebJobsStorage: azurite.connectionString,
      AUTOPILOT_CONFIG: config,
      TEAMS_URL: 'https://example.invalid/x',
    },
    { ...(clock ? { clock } : {}), retention: { sleep: async () => undefined } },
  );

const post = (query = '') =>
  new HttpRequest({ method: 'POST', url: `http://localhost/api/retention/run${query}` });

beforeAll(async () => {
  [azurite, registry] = await Promise.all([startTestAzurite(), startOciRegistry()]);
}, OCI_REGISTRY_START_TIMEOUT_MS);
afterAll(async () => {
  await Promise.all([azurite?.stop(), registry?.stop()]);
});

describe('retentionRun (POST /api/retention/run)', () => {
  it('answers the plan JSON and deletes nothing without apply=true', async () => {
    await seed('http-plan/app');
    await runtimeFor(writeConfig('http-plan', true));
    const response = await retentionRun(post(), context('retentionRun'));
    expect(response.status).toBe(200);
    const body = response.jsonBody as {
      registries: {
        name: string;
        repositories: { name: string; tags: { tag: string; decision: string }[] }[];
      }[];
      totals: { keep: number; delete: number };
      run: { applied: boolean };
    };
    expect(body.totals).toEqual({ keep: 1, delete: 2 });
    expect(body.run.applied).toBe(false);
    expect(body.registries[0]?.repositories[0]?.tags.map((t) => `${t.tag}:${t.decision}`)).toEqual([
      'new:keep',
      'mid:delete',
      'old:delete',
    ]);
    expect(await listTags(registry.url, 'http-plan/app')).toEqual(['mid', 'new', 'old']);
  });

  it('refuses apply=true while retention.dryRun is true, and an unknown registry', async () => {
    await runtimeFor(writeConfig('http-dry', true));
    const refused = await retentionRun(post('?apply=true'), context('retentionRun'));
    expect(refused.status).toBe(409);
    expect(JSON.stringify(refused.jsonBody)).toContain('retention.dryRun is true');
    const unknown = await retentionRun(post('?registry=prod'), context('retentionRun'));
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.jsonBody)).toContain('retention.registries has lab');
  });

  it('applies with apply=true, and answers 409 while another run holds the registry', async () => {
    await seed('http-apply/app');
    const runtime = await runtimeFor(writeConfig('http-apply', false));
    const state = runtime.retentionDeps(runtime.retentionDeps(console).log).state;
    await state.put(leaseScope, 'lab', {
      owner: 'timer-1',
      trigger: 'timer',
      startedAt: new Date().toISOString(),
      expiresAt: new Date(Date.now() + 60_000).toISOString(),
    });
    const busy = await retentionRun(post('?apply=true'), context('retentionRun', 'busy'));
    expect(busy.status).toBe(409);
    expect(JSON.stringify(busy.jsonBody)).toContain('already running');
    expect(await listTags(registry.url, 'http-apply/app')).toHaveLength(3);

    const lease = await state.get(leaseScope, 'lab');
    await state.delete(leaseScope, 'lab', lease?.etag ?? '');
    const applied = await retentionRun(post('?apply=true&registry=lab'), context('retentionRun', 'apply'));
    expect(applied.status).toBe(200);
    expect((applied.jsonBody as { run: { registries: unknown[] } }).run.registries).toEqual([
      expect.objectContaining({ name: 'lab', status: 'applied', deleted: 2, failed: 0 }),
    ]);
    expect(await listTags(registry.url, 'http-apply/app')).toEqual(['new']);
  });
});

describe('retentionTimer', () => {
  it('runs when the schedule is due, once, and sends the summary to retention.notify', async () => {
    await seed('timer/app');
    const at = new Date();
    at.setUTCHours(3, 0, 30, 0);
    await runtimeFor(writeConfig('timer', true), () => at);
    await retentionTimer(timer, context('retentionTimer', 't1'));
    await retentionTimer(timer, context('retentionTimer', 't2'));
    const notes = (await peekAll(azurite.connectionString, 'notifications')) as {
      channel: string;
      dedupeKey: string;
      payload: { kind: string; dryRun: boolean; registries: { deleted: number }[] };
    }[];
    const summaries = notes.filter((note) => note.dedupeKey.startsWith('retention-timer-'));
    expect(summaries).toHaveLength(1);
    expect(summaries[0]).toMatchObject({
      channel: 'platform',
      payload: { dryRun: true, registries: [{ deleted: 2 }] },
    });
    expect(await listTags(registry.url, 'timer/app')).toEqual(['mid', 'new', 'old']);
  });

  it('does nothing without a retention section', async () => {
    const path = join(dir, 'none.yaml');
    writeFileSync(path, 'rules: []\n');
    await runtimeFor(path);
    await expect(retentionTimer(timer, context('retentionTimer', 'none'))).resolves.toBeUndefined();
  });
});

describe('retentionRequest (queue retention-requests)', () => {
  it('waits for the debounce window, then runs for the pushed repository only', async () => {
    await seed('push/app');
    await seed('push/other');
    let now = new Date();
    const config = writeConfig('push', false);
    const runtime = await runtimeFor(config, () => now);
    const event = sampleEvent({ registry: registry.host, repository: 'push/app', tag: 'new' });
    const message: RetentionRequest = {
      type: 'retention',
      dedupeKey: event.dedupeKey,
      correlationId: event.id,
      event,
      registry: 'lab',
      repository: 'push/app',
      notify: [],
    };
    await retentionRequest(message, context('retentionRequest', 'r1'));
    const state = runtime.retentionDeps(console).state;
    expect(await state.get(debounceScope, 'lab\npush/app')).toMatchObject({
      value: { owner: event.dedupeKey },
    });
    expect(await listTags(registry.url, 'push/app')).toHaveLength(3);

    now = new Date(now.getTime() + 61_000);
    await retentionRequest(message, context('retentionRequest', 'r2'));
    expect(await listTags(registry.url, 'push/app')).toEqual(['new']);
    expect(await listTags(registry.url, 'push/other')).toHaveLength(3);
    expect(logs.some((line) => /dry run|deleted 2 of 2/.test(line))).toBe(true);
  });
});
