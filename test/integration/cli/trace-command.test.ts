import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../shared/cli/main';
import { createTableClient } from '../../../shared/adapters/storage-clients';
import { createTableDedupeStore } from '../../../shared/adapters/table/table-dedupe-store';
import { createTableTraceStore } from '../../../shared/adapters/table/table-trace-store';
import { ingressRecord } from '../../../shared/domain/trace/trace-records';
import type { AzuriteHandle } from '../../../shared/local-host/azurite';
import { dedupeTable } from '../../../shared/runtime/composition-root';
import { startTestAzurite } from '../../helpers/azurite';
import { attemptOf, ingressFactsOf, tracedKey } from '../../helpers/trace-records';

let azurite: AzuriteHandle;

async function trace(
  args: string[],
  env: Record<string, string> = { AzureWebJobsStorage: azurite.connectionString },
) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['trace', ...args], {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    // No local.settings.json here: only the environment names the storage.
    cwd: mkdtempSync(join(tmpdir(), 'cli-trace-')),
    env,
  });
  return { code, stdout, stderr };
}

const facts = ingressFactsOf({
  rules: [
    { index: 0, name: 'payments', matched: true },
    { index: 1, matched: false, reason: 'repository "payments/api" does not match match.repository "web/*"' },
  ],
  planned: [
    { action: 'pin', target: 'fleet' },
    { action: 'deploy', target: 'web', after: 'pin' },
  ],
});

beforeAll(async () => {
  azurite = await startTestAzurite();
  // What the app writes: the claim with its facts, then the runner's records of the pin and the deploy.
  const table = createTableClient(
    { kind: 'connection-string', connectionString: azurite.connectionString },
    dedupeTable,
  );
  const dedupe = createTableDedupeStore(table);
  const store = createTableTraceStore(table);
  const now = new Date(facts.receivedAt);
  await dedupe.claim('ingress', tracedKey, { now, windowMs: 60_000, record: ingressRecord(facts) });
  await dedupe.complete('ingress', tracedKey, { now, actions: 1 });
  await store.attempt(
    attemptOf({
      action: 'pin',
      target: 'fleet',
      result: 'done',
      summary: { kind: 'committed', text: 'committed 0a1b2c3d4e5f (1 file(s)); queued deploy to web' },
    }),
  );
  await store.attempt(
    attemptOf({ action: 'deploy', target: 'web', result: 'retrying', reason: 'HTTP 503', delayMs: 1000 }, 2),
  );
  await store.attempt(
    attemptOf(
      { action: 'deploy', target: 'web', attempt: 2, result: 'parked', reason: 'HTTP 401: check GH_TOKEN' },
      4,
    ),
  );
});
afterAll(() => azurite?.stop());

describe('acr-autopilot trace (Azurite)', () => {
  it('answers why a push did not deploy, by repository:tag', async () => {
    const { code, stdout, stderr } = await trace(['payments/api:1.4.2']);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toContain(
      `push contoso.azurecr.io/payments/api:1.4.2@sha256:4f1a8c0e3b2d  (dedupe key ${tracedKey})\n`,
    );
    expect(stdout).toContain(
      `verdict: not deployed: "web" failed for good after 2 attempt(s): HTTP 401: check GH_TOKEN; replay with acr-autopilot poison requeue deploy-requests --id ${tracedKey}\n`,
    );
    expect(stdout).toMatch(
      /no match {2}rules\[1\]: repository "payments\/api" does not match match\.repository "web\/\*"/,
    );
    expect(stdout).toMatch(
      /deploy → web \(after pin\) +parked \(2 attempt\(s\), 1 retried\) +HTTP 401: check GH_TOKEN/,
    );
  });

  it('prints the same trace as JSON, by digest and by dedupe key', async () => {
    const byDigest = await trace([facts.image.digest, '--json']);
    const byKey = await trace([tracedKey, '--json']);
    expect(byDigest.code).toBe(0);
    expect(JSON.parse(byDigest.stdout)).toEqual(JSON.parse(byKey.stdout));
    const { traces, more } = JSON.parse(byDigest.stdout) as {
      traces: {
        dedupeKey: string;
        verdict: { outcome: string };
        actions: { action: string; status: string }[];
      }[];
      more: number;
    };
    expect(more).toBe(0);
    expect(traces).toHaveLength(1);
    expect(traces[0]?.verdict.outcome).toBe('not-deployed');
    expect(traces[0]?.actions.map((action) => [action.action, action.status])).toEqual([
      ['pin', 'done'],
      ['deploy', 'parked'],
    ]);
  });

  it('exits 1 and says where to look when nothing is recorded', async () => {
    const { code, stdout, stderr } = await trace(['payments/api:9.9.9']);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^nothing recorded for payments\/api:9\.9\.9: the app never received it/);
  });

  it('names the setting when no storage is configured, and what to give for a bad reference', async () => {
    const unset = await trace(['payments/api:1.4.2'], {});
    expect(unset.code).toBe(2);
    expect(unset.stderr).toMatch(/^AzureWebJobsStorage is not set: trace reads the app's Table Storage/);
    const bad = await trace(['payments/api']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/names no push: give a repository:tag/);
  });
});
