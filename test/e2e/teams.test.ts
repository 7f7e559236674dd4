import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardOf } from '../../shared/domain/cards/teams-message';
import { functionArgs } from '../helpers/e2e-app';
import { fakeSignature, startFakeTeamsServer, type FakeTeamsServer } from '../helpers/fake-teams-server';
import { startLocalHostProcess, type RunningHost } from '../helpers/local-host-process';

/**
 * Webhook → image-events → fan-out → notifications → notifyTeams → the fake Teams server, through the
 * built local host, once with burst folding (1 s window) and once without (window 0).
 */
const secret = 'Bearer e2e-teams-secret';
const teamsFunctions = functionArgs([
  'acr-webhook',
  'health',
  'app-start',
  'fan-out-actions',
  'notify-teams',
]);

interface App {
  host: RunningHost;
  teams: FakeTeamsServer;
}
let folding: App;
let direct: App;

function writeConfig(burstWindow: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'e2e-teams-'));
  writeFileSync(
    join(dir, 'autopilot.yaml'),
    `
teams: { platform: { urlFrom: TEAMS_PLATFORM } }
notifications: { burstWindow: ${burstWindow} }
rules:
  - match: { repository: 'e2e/**', actions: [push, delete] }
    notify: [{ channel: platform, kinds: [pushed, deleted] }]
`,
  );
  return join(dir, 'autopilot.yaml');
}

async function startApp(burstWindow: string): Promise<App> {
  const teams = await startFakeTeamsServer();
  const host = await startLocalHostProcess({
    args: teamsFunctions,
    env: {
      AUTOPILOT_CONFIG: writeConfig(burstWindow),
      ACR_WEBHOOK_SECRET: secret,
      TEAMS_PLATFORM: teams.workflowUrl(),
      // The fake server speaks http on 127.0.0.1; the poster refuses that unless told (development only).
      AUTOPILOT_ALLOW_INSECURE_LOOPBACK: 'true',
    },
  });
  return { host, teams };
}

const webhook = (app: App, action: 'push' | 'delete', repository: string, tag: string) =>
  fetch(`${app.host.url}/api/acr/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: secret },
    body: JSON.stringify({
      id: `e2e-${action}-${repository}-${tag}`,
      action,
      timestamp: '2026-11-25T10:00:00.000Z',
      target: { repository, tag, digest: `sha256:${Buffer.from(tag).toString('hex').padEnd(64, '0')}` },
      request: { host: 'contoso.azurecr.io', method: action === 'push' ? 'PUT' : 'DELETE' },
    }),
  });

const cards = (app: App) =>
  app.teams.requests.map((request) => JSON.stringify(cardOf(JSON.parse(request.body))));

beforeAll(async () => {
  [folding, direct] = await Promise.all([startApp('4s'), startApp('0s')]);
});
afterAll(async () => {
  for (const app of [folding, direct]) {
    await app?.host.stop();
    await app?.teams.close();
  }
});

describe('Teams notifications through the local host', () => {
  it('folds pushes to one repository inside the burst window into one card', async () => {
    const responses = await Promise.all(
      ['1.0.0', '1.0.1', '1.0.2'].map((tag) => webhook(folding, 'push', 'e2e/burst', tag)),
    );
    expect(responses.map((response) => response.status)).toEqual([202, 202, 202]);
    await expect.poll(() => folding.teams.requests.length, { timeout: 15_000 }).toBe(1);
    const [card] = cards(folding);
    expect(card).toContain('3 pushes to e2e/burst');
    for (const tag of ['1.0.0', '1.0.1', '1.0.2']) expect(card).toContain(tag);
    expect(folding.teams.requests[0]?.url).toContain('/workflows/');
    await folding.host.waitForLine(
      /notifyTeams\s+info\s+folded push contoso.azurecr.io\/e2e\/burst:1.0.\d/,
      5_000,
    );
  });

  it('posts a delete at once, without folding', async () => {
    const before = folding.teams.requests.length;
    expect((await webhook(folding, 'delete', 'e2e/gone', '0.1.0')).status).toBe(202);
    await expect.poll(() => folding.teams.requests.length, { timeout: 10_000 }).toBe(before + 1);
    expect(cards(folding).at(-1)).toContain('e2e/gone');
  });

  it('posts every push on its own when the burst window is 0', async () => {
    expect((await webhook(direct, 'push', 'e2e/direct', '2.0.0')).status).toBe(202);
    await expect.poll(() => direct.teams.requests.length, { timeout: 10_000 }).toBe(1);
    expect(cards(direct)[0]).toContain('e2e/direct');
    expect(JSON.parse(direct.teams.requests[0]?.body ?? '')).toMatchObject({ type: 'message' });
    // The card reaches the fake server a moment before the host prints the line about it.
    await direct.host.waitForLine(
      /notifyTeams\s+info\s+posted the pushed card for contoso.azurecr.io\/e2e\/direct:2.0.0/,
      5_000,
    );
    expect(direct.host.output()).not.toMatch(/folded push/);
  });

  it('never prints the signature of the Workflows URL', () => {
    for (const app of [folding, direct]) expect(app.host.output()).not.toContain(fakeSignature);
  });
});
