import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OutboundClientOptions } from '../../../../shared/adapters/http/outbound-client';
import {
  createTeamsPoster,
  type PostResult,
  type PostTarget,
  type TeamsPosterOptions,
} from '../../../../shared/adapters/teams/post-to-workflows';
import { adaptiveCard, textBlock } from '../../../../shared/domain/cards/card-elements';
import { wrapCard } from '../../../../shared/domain/cards/teams-message';
import { ConfigError, RefusedError, UpstreamError } from '../../../../shared/domain/errors';
import {
  fakeSignature,
  startFakeTeamsServer,
  type FakeTeamsServer,
} from '../../../helpers/fake-teams-server';
import { testHttpClient } from '../../../helpers/http-client';

const message = wrapCard(
  adaptiveCard([textBlock('Image pushed: payments/api:1.14.2')], [], 'Image pushed'),
  'envelope',
);
const target = { settingName: 'TEAMS_PLATFORM_WEBHOOK', channel: 'platform' };
const invokePath = '/workflows/5f1c0e2a9b7d4e3f8a6c1b2d3e4f5a6b/triggers/manual/paths/invoke';
/** How the poster names the fake server's Workflows URL in messages: every query value but api-version gone. */
const shownUrl = (origin: string) =>
  `${origin}${invokePath}?api-version=2016-06-01&sp=REDACTED&sv=REDACTED&sig=REDACTED`;
const where = 'Teams channel "platform" (TEAMS_PLATFORM_WEBHOOK)';

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

/** What the tests call: the poster's own `post`, with its result type. */
interface Poster {
  post(url: string, message: unknown, target: PostTarget): Promise<PostResult>;
}

/**
 * A poster against the fake server over the real outbound client, recording every log line (the
 * poster's and the client's) and the client's waits instead of sleeping.
 */
function poster(
  options: Partial<TeamsPosterOptions> = {},
  client: Partial<OutboundClientOptions> = {},
): Poster {
  return createTeamsPoster({
    http: testHttpClient({
      sleep: async (ms) => void waits.push(ms),
      log: { warn: (line) => lines.push(`warn ${line}`) },
      clock: () => new Date('2025-11-24T09:41:00.000Z'),
      ...client,
    }),
    allowInsecureLoopback: true,
    timeoutMs: 2_000,
    log: { info: (line) => lines.push(`info ${line}`) },
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

/** Neither the log, the error nor anything inspect shows of it may carry the URL's signature (§1.3). */
function expectNoSecret(error?: Error): void {
  const texts = [...lines, ...(error ? [error.message, inspect(error, { depth: 10 })] : [])];
  for (const text of texts) expect(text).not.toContain(fakeSignature);
}

describe('createTeamsPoster', () => {
  it('posts the message as JSON and reports the accepted status', async () => {
    const result = await poster().post(server.workflowUrl(), message, target);
    expect(result).toEqual({ status: 202, attempts: 1 });
    expect(server.requests).toHaveLength(1);
    const [request] = server.requests;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe(new URL(server.workflowUrl()).pathname + new URL(server.workflowUrl()).search);
    expect(request?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(request?.body ?? '')).toEqual(message);
    expect(lines).toEqual([
      `info ${where}: ${shownUrl(server.origin)} accepted the message with 202 (attempt 1)`,
    ]);
    expectNoSecret();
  });

  it('treats any 2xx as accepted', async () => {
    server.reply({ status: 200, body: '1' });
    expect(await poster().post(server.workflowUrl(), message, target)).toEqual({ status: 200, attempts: 1 });
  });

  it('waits out a short Retry-After on 429 in process and delivers once', async () => {
    server.reply({ status: 429, headers: { 'retry-after': '7' }, body: 'slow down' });
    const result = await poster({}, { maxInProcessWaitMs: 10_000 }).post(
      server.workflowUrl(),
      message,
      target,
    );
    expect(result).toEqual({ status: 202, attempts: 2 });
    expect(waits).toEqual([7_000]);
    expect(server.requests).toHaveLength(2);
    expect(lines[0]).toBe(
      `warn ${where}: POST ${shownUrl(server.origin)} answered 429; retrying in 7000 ms (attempt 1 of 2)`,
    );
    expectNoSecret();
  });

  it('reads Retry-After as an HTTP-date', async () => {
    server.reply({ status: 429, headers: { 'retry-after': 'Mon, 24 Nov 2025 09:41:05 GMT' } });
    const result = await poster({}, { maxInProcessWaitMs: 10_000 }).post(
      server.workflowUrl(),
      message,
      target,
    );
    expect(result.attempts).toBe(2);
    expect(waits).toEqual([5_000]);
  });

  it('leaves a long Retry-After to the queue: retryable, with the wait, nothing repeated', async () => {
    server.reply({ status: 503, headers: { 'retry-after': '3600' }, body: 'maintenance' });
    const error = await failure(poster().post(server.workflowUrl(), message, target));
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({ retryable: true, status: 503, retryAfterMs: 3_600_000 });
    expect(error.message).toBe(
      `${where}: POST ${shownUrl(server.origin)} answered 503: maintenance; asked to retry after 3600 s`,
    );
    expect(server.requests).toHaveLength(1);
    expect(waits).toEqual([]);
  });

  it('does not retry a legacy 200 "HTTP error 429" body in process but says it was throttled', async () => {
    server.reply({ status: 200, body: 'Microsoft Teams endpoint returned HTTP error 429 with ContextId …' });
    const error = await failure(poster().post(server.workflowUrl(), message, target));
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({ retryable: true, status: 429 });
    expect(error.message).toBe(
      `${where}: ${shownUrl(server.origin)} throttled the message (429 in a 200 answer)`,
    );
    expect(server.requests).toHaveLength(1);
  });

  it('repeats a 503 (not processed) once, then gives up with a retryable error and no signature', async () => {
    server.reply({ status: 503, body: 'busy' }, { status: 503, body: `upstream said sig=${fakeSignature}` });
    const error = await failure(poster().post(server.workflowUrl(), message, target));
    expect(error).toBeInstanceOf(UpstreamError);
    expect((error as UpstreamError).retryable).toBe(true);
    expect(error.message).toBe(
      `${where}: POST ${shownUrl(server.origin)} answered 503: upstream said sig=REDACTED`,
    );
    expect(server.requests).toHaveLength(2);
    expect(waits).toHaveLength(1);
    expect(lines).toEqual([
      expect.stringMatching(/^warn .* answered 503; retrying in \d+ ms \(attempt 1 of 2\)$/),
    ]);
    expectNoSecret(error);
  });

  it('never repeats a 500 in process: the card may have been posted', async () => {
    server.reply({ status: 500, body: 'boom' });
    const error = await failure(poster().post(server.workflowUrl(), message, target));
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({ retryable: true, status: 500 });
    expect(error.message).toBe(`${where}: POST ${shownUrl(server.origin)} answered 500: boom`);
    expect(server.requests).toHaveLength(1);
    expect(waits).toEqual([]);
  });

  it('refuses a 4xx other than 429 without retrying, with the hint and the API message, shortened', async () => {
    server.reply({
      status: 400,
      headers: { 'content-type': 'application/json' },
      body: `{"error":{"code":"InvalidRequestContent","message":"${'x'.repeat(5_000)}"}}`,
    });
    const error = await failure(poster().post(server.workflowUrl(), message, target));
    expect(error).toBeInstanceOf(RefusedError);
    expect(error).toMatchObject({ retryable: false, status: 400 });
    expect(error.message).toContain(
      `${where}: POST ${shownUrl(server.origin)} answered 400 (the flow could not read the message`,
    );
    expect(error.message).toContain('): InvalidRequestContent: xxx');
    expect(error.message.length).toBeLessThan(900);
    expect(server.requests).toHaveLength(1);
    expectNoSecret(error);
  });

  it.each([
    [
      404,
      'the flow was deleted or turned off; create a new Workflows URL and put it in TEAMS_PLATFORM_WEBHOOK',
    ],
    [401, 'the signature in TEAMS_PLATFORM_WEBHOOK is wrong or the flow does not let anyone trigger it'],
  ])('says what to do about a %i', async (status, hint) => {
    server.reply({ status });
    const error = await failure(poster().post(server.workflowUrl(), message, target));
    expect(error).toBeInstanceOf(RefusedError);
    expect(error.message).toContain(`answered ${status} (${hint}`);
  });

  it('times out a slow server with a retryable error and does not post again', async () => {
    server.reply({ delayMs: 5_000 });
    const started = performance.now();
    const error = await failure(poster({ timeoutMs: 200 }).post(server.workflowUrl(), message, target));
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error.message).toBe(`${where}: POST ${shownUrl(server.origin)} did not answer within 200 ms`);
    expect(performance.now() - started).toBeLessThan(1_500);
    expect(server.requests).toHaveLength(1);
    expectNoSecret(error);
  });

  it.each([
    {
      case: 'on the same host (the POST body would be dropped)',
      location: (origin: string) => `${origin}/elsewhere`,
      reason: () => 'answered 302 to a POST, which would drop the request body',
    },
    {
      case: 'to another host',
      location: (origin: string) => `${origin.replace('127.0.0.1', 'localhost')}/elsewhere`,
      reason: (origin: string) =>
        `redirected to another host (${origin.replace('127.0.0.1', 'localhost')}/elsewhere?sig=REDACTED)`,
    },
  ])('refuses to follow a redirect $case', async ({ location, reason }) => {
    server.reply({ redirectTo: `${location(server.origin)}?sig=${fakeSignature}` });
    const error = await failure(poster().post(server.workflowUrl(), message, target));
    expect(error).toBeInstanceOf(RefusedError);
    expect(error).toMatchObject({ retryable: false, status: 302 });
    expect(error.message).toBe(
      `${where}: POST ${shownUrl(server.origin)} ${reason(server.origin)}; redirects are not followed`,
    );
    expect(server.requests.map((request) => request.url.split('?')[0])).toEqual([invokePath]);
    expectNoSecret(error);
  });

  it('does not repeat a POST whose answer was garbage (the card may have arrived)', async () => {
    server.reply({ malformed: true });
    const error = await failure(poster().post(server.workflowUrl(), message, target));
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error.message).toMatch(
      new RegExp(
        `^${escape(`${where}: POST ${shownUrl(server.origin)}`)} could not be reached \\(fetch failed`,
      ),
    );
    expect(server.requests).toHaveLength(1);
    expectNoSecret(error);
  });

  it('counts a 2xx whose body breaks off as delivered, so the card is not posted twice', async () => {
    server.reply({ brokenBody: 202 });
    expect(await poster().post(server.workflowUrl(), message, target)).toEqual({ status: 202, attempts: 1 });
    expect(server.requests).toHaveLength(1);
  });

  it('retries a 503 whose body breaks off', async () => {
    server.reply({ brokenBody: 503 });
    expect(await poster().post(server.workflowUrl(), message, target)).toEqual({ status: 202, attempts: 2 });
    expect(server.requests).toHaveLength(2);
  });

  it('checks the URL policy before sending anything', async () => {
    const strict = createTeamsPoster({
      http: testHttpClient({ allowInsecureLoopback: false }),
    });
    const error = await failure(strict.post(server.workflowUrl(), message, target));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toBe(
      `${where}: the app setting TEAMS_PLATFORM_WEBHOOK must hold an https URL, not http`,
    );
    const legacy = await failure(
      strict.post('https://contoso.webhook.office.com/webhookb2/x/IncomingWebhook/y/z', message, target),
    );
    expect(legacy).toBeInstanceOf(ConfigError);
    expect(legacy.message).toContain('Post to a channel when a webhook request is received');
    expect(server.requests).toHaveLength(0);
  });

  it('is refused by the outbound client when only the poster allows loopback', async () => {
    const error = await failure(
      poster({}, { allowInsecureLoopback: false }).post(server.workflowUrl(), message, target),
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(/is not https; only https URLs are called/);
    expect(server.requests).toHaveLength(0);
    expectNoSecret(error);
  });

  it('allows only 127.0.0.1 as the insecure loopback', async () => {
    const localhost = server.workflowUrl().replace('127.0.0.1', 'localhost');
    expect(await failure(poster().post(localhost, message, target))).toBeInstanceOf(ConfigError);
    expect(server.requests).toHaveLength(0);
  });

  it('refuses a message of 28 KB or more without sending it', async () => {
    const big = adaptiveCard([textBlock('x'.repeat(30_000))], [], 'big');
    const error = await failure(poster().post(server.workflowUrl(), big, target));
    expect(error).toBeInstanceOf(RefusedError);
    expect(error).toMatchObject({ retryable: false, status: 413, code: 'payload-too-large' });
    expect(error.message).toMatch(/the message is \d+ bytes; Teams accepts less than 28672$/);
    expect(server.requests).toHaveLength(0);
  });

  it('reads only the first few KB of a huge response body', async () => {
    server.reply({ status: 413, body: 'y'.repeat(2_000_000) });
    const error = await failure(poster().post(server.workflowUrl(), message, target));
    expect(error).toBeInstanceOf(RefusedError);
    expect(error.message).toContain('answered 413 (the message is too large for Teams)');
    expect(error.message.length).toBeLessThan(900);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
