import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createTeamsPoster,
  TeamsRejectedError,
  type TeamsPosterOptions,
} from '../../../../shared/adapters/teams/post-to-workflows';
import { adaptiveCard, textBlock } from '../../../../shared/domain/cards/card-elements';
import { wrapCard } from '../../../../shared/domain/cards/teams-message';
import { ConfigError, UpstreamError } from '../../../../shared/domain/errors';
import {
  fakeSignature,
  startFakeTeamsServer,
  type FakeTeamsServer,
} from '../../../helpers/fake-teams-server';

const message = wrapCard(
  adaptiveCard([textBlock('Image pushed: payments/api:1.14.2')], [], 'Image pushed'),
  'envelope',
);
const target = { settingName: 'TEAMS_PLATFORM_WEBHOOK', channel: 'platform' };

let server: FakeTeamsServer;
let lines: string[];
let waits: number[];

beforeEach(async () => {
  server = await startFakeTeamsServer();
  lines = [];
  waits = [];
});
afterEach(async () => {
  await server.close();
});

/** A poster against the fake server that records its log lines and waits instead of sleeping. */
function poster(options: TeamsPosterOptions = {}) {
  return createTeamsPoster({
    allowInsecureLoopback: true,
    timeoutMs: 2_000,
    sleep: async (ms) => void waits.push(ms),
    log: { info: (line) => lines.push(`info ${line}`), warn: (line) => lines.push(`warn ${line}`) },
    clock: () => new Date('2025-11-24T09:41:00.000Z'),
    ...options,
  });
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the post to fail');
}

/** Neither the log nor the error may carry the URL's signature (reference §1.3). */
function expectNoSecret(...texts: string[]): void {
  for (const text of [...texts, ...lines]) expect(text).not.toContain(fakeSignature);
}

describe('createTeamsPoster', () => {
  it('posts the message as JSON and reports the accepted status', async () => {
    const result = await poster().post(server.workflowUrl(), message, target);
    expect(result).toEqual({ status: 202, attempts: 1 });
    expect(server.requests).toHaveLength(1);
    const [request] = server.requests;
    expect(request?.method).toBe('POST');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(request?.body ?? '')).toEqual(message);
    expect(lines).toEqual([
      expect.stringMatching(
        /^info Teams channel "platform" \(TEAMS_PLATFORM_WEBHOOK\): .*sig=REDACTED accepted the message with 202 \(attempt 1\)$/,
      ),
    ]);
    expectNoSecret();
  });

  it('treats any 2xx as accepted', async () => {
    server.reply({ status: 200, body: '1' });
    expect(await poster().post(server.workflowUrl(), message, target)).toEqual({ status: 200, attempts: 1 });
  });

  it('honours Retry-After on 429 and delivers once', async () => {
    server.reply({ status: 429, headers: { 'retry-after': '7' }, body: 'slow down' });
    const result = await poster().post(server.workflowUrl(), message, target);
    expect(result).toEqual({ status: 202, attempts: 2 });
    expect(waits).toEqual([7_000]);
    expect(server.requests).toHaveLength(2);
    expect(lines[0]).toMatch(
      /^warn .* throttled the message \(429\); retrying in 7000 ms \(attempt 1 of 3\)$/,
    );
    expectNoSecret();
  });

  it('reads Retry-After as an HTTP-date and caps long waits', async () => {
    server.reply(
      { status: 429, headers: { 'retry-after': 'Mon, 24 Nov 2025 09:41:05 GMT' } },
      { status: 503, headers: { 'retry-after': '3600' } },
    );
    await poster().post(server.workflowUrl(), message, target);
    expect(waits).toEqual([5_000, 30_000]);
  });

  it('retries the legacy 200 "HTTP error 429" body as throttling', async () => {
    server.reply({ status: 200, body: 'Microsoft Teams endpoint returned HTTP error 429 with ContextId …' });
    const result = await poster().post(server.workflowUrl(), message, target);
    expect(result.attempts).toBe(2);
    expect(waits).toEqual([1_000]);
  });

  it('gives up on 5xx after maxAttempts with a retryable UpstreamError', async () => {
    server.reply(
      { status: 500, body: 'boom' },
      { status: 502 },
      { status: 503, body: `upstream said sig=${fakeSignature}` },
    );
    const error = await failure(poster().post(server.workflowUrl(), message, target));
    expect(error).toBeInstanceOf(UpstreamError);
    expect((error as UpstreamError).retryable).toBe(true);
    expect(error.message).toMatch(
      /^Teams channel "platform" \(TEAMS_PLATFORM_WEBHOOK\): .* answered 503 on all 3 attempts: upstream said sig=REDACTED$/,
    );
    expect(server.requests).toHaveLength(3);
    expect(waits).toEqual([1_000, 2_000]);
    expectNoSecret(error.message);
  });

  it('refuses a 4xx other than 429 without retrying, with the status and a short body excerpt', async () => {
    server.reply({
      status: 400,
      body: `{"error":{"code":"InvalidRequestContent","message":"${'x'.repeat(5_000)}"}}`,
    });
    const error = await failure(poster().post(server.workflowUrl(), message, target));
    expect(error).toBeInstanceOf(TeamsRejectedError);
    expect((error as TeamsRejectedError).retryable).toBe(false);
    expect((error as TeamsRejectedError).status).toBe(400);
    expect(error.message).toContain('answered 400 (the flow could not read the message');
    expect(error.message).toContain('{"error":{"code":"InvalidRequestContent"');
    expect(error.message.length).toBeLessThan(900);
    expect(server.requests).toHaveLength(1);
    expectNoSecret(error.message);
  });

  it('says what to do about a deleted flow', async () => {
    server.reply({ status: 404 });
    const error = await failure(poster().post(server.workflowUrl(), message, target));
    expect(error.message).toContain(
      'the flow was deleted or turned off; create a new Workflows URL and put it in TEAMS_PLATFORM_WEBHOOK',
    );
  });

  it('times out a slow server with a retryable error', async () => {
    server.reply({ delayMs: 5_000 });
    const error = await failure(poster({ timeoutMs: 200 }).post(server.workflowUrl(), message, target));
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error.message).toMatch(/did not answer within 200 ms$/);
    expect(server.requests).toHaveLength(1);
    expectNoSecret(error.message);
  });

  it('refuses to follow a redirect', async () => {
    server.reply({ redirectTo: `${server.origin}/elsewhere?sig=${fakeSignature}` });
    const error = await failure(poster().post(server.workflowUrl(), message, target));
    expect(error).toBeInstanceOf(TeamsRejectedError);
    expect(error.message).toContain('answered with a redirect, which is not followed');
    expect(server.requests.map((request) => request.url.split('?')[0])).toEqual([
      '/workflows/5f1c0e2a9b7d4e3f8a6c1b2d3e4f5a6b/triggers/manual/paths/invoke',
    ]);
    expectNoSecret(error.message);
  });

  it('retries a malformed response and then succeeds', async () => {
    server.reply({ malformed: true });
    const result = await poster().post(server.workflowUrl(), message, target);
    expect(result).toEqual({ status: 202, attempts: 2 });
    expect(lines[0]).toMatch(/^warn .* could not reach .*sig=REDACTED \(fetch failed/);
    expectNoSecret();
  });

  it('counts a 2xx whose body breaks off as delivered, so the card is not posted twice', async () => {
    server.reply({ brokenBody: 202 });
    expect(await poster().post(server.workflowUrl(), message, target)).toEqual({ status: 202, attempts: 1 });
    expect(server.requests).toHaveLength(1);
  });

  it('retries a 5xx whose body breaks off', async () => {
    server.reply({ brokenBody: 503 });
    expect(await poster().post(server.workflowUrl(), message, target)).toEqual({ status: 202, attempts: 2 });
  });

  it('gives up on a server that keeps sending garbage', async () => {
    server.reply({ malformed: true }, { malformed: true });
    const error = await failure(poster({ maxAttempts: 2 }).post(server.workflowUrl(), message, target));
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error.message).toMatch(/could not reach .* after 2 attempts: fetch failed/);
    expectNoSecret(error.message);
  });

  it('checks the URL policy before sending anything', async () => {
    const error = await failure(createTeamsPoster().post(server.workflowUrl(), message, target));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toBe(
      'Teams channel "platform" (TEAMS_PLATFORM_WEBHOOK): the app setting TEAMS_PLATFORM_WEBHOOK must hold an https URL, not http',
    );
    const legacy = await failure(
      createTeamsPoster().post(
        'https://contoso.webhook.office.com/webhookb2/x/IncomingWebhook/y/z',
        message,
        target,
      ),
    );
    expect(legacy.message).toContain('Post to a channel when a webhook request is received');
    expect(server.requests).toHaveLength(0);
  });

  it('allows only 127.0.0.1 as the insecure loopback', async () => {
    const localhost = server.workflowUrl().replace('127.0.0.1', 'localhost');
    expect(await failure(poster().post(localhost, message, target))).toBeInstanceOf(ConfigError);
  });

  it('refuses a message of 28 KB or more without sending it', async () => {
    const big = adaptiveCard([textBlock('x'.repeat(30_000))], [], 'big');
    const error = await failure(poster().post(server.workflowUrl(), big, target));
    expect(error).toBeInstanceOf(TeamsRejectedError);
    expect(error.message).toMatch(/the message is \d+ bytes; Teams accepts less than 28672/);
    expect(server.requests).toHaveLength(0);
  });

  it('reads only the first few KB of a huge response body', async () => {
    server.reply({ status: 413, body: 'y'.repeat(2_000_000) });
    const error = await failure(poster().post(server.workflowUrl(), message, target));
    expect(error).toBeInstanceOf(TeamsRejectedError);
    expect(error.message).toContain('(the message is too large for Teams)');
    expect(error.message.length).toBeLessThan(900);
  });
});
