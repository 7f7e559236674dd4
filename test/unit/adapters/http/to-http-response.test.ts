import { describe, expect, it } from 'vitest';
import { toHttpResponse } from '../../../../shared/adapters/http/to-http-response';
import {
  ConfigError,
  DomainError,
  InvalidEventError,
  UnauthorizedError,
  UpstreamError,
} from '../../../../shared/domain/errors';
import { captureLogger } from '../../../helpers/fakes';

describe('toHttpResponse', () => {
  it.each([
    [new UnauthorizedError('no'), 401],
    [new DomainError('unsupported-media-type', 'x'), 415],
    [new DomainError('payload-too-large', 'x'), 413],
    [new DomainError('malformed-json', 'x'), 400],
    [new InvalidEventError('bad', [{ path: 'target.tag', message: 'expected string' }]), 400],
    [new ConfigError('broken'), 500],
    [new UpstreamError('storage down'), 503],
    [new DomainError('in-flight', 'busy', { retryable: true }), 503],
  ])('maps %s to %i', (error, status) => {
    expect(toHttpResponse(error, captureLogger()).status).toBe(status);
  });

  it('lists issues as details and never adds the body', () => {
    const response = toHttpResponse(
      new InvalidEventError('bad', [{ path: 'target.tag', message: 'expected string' }]),
      captureLogger(),
    );
    expect(response.jsonBody).toEqual({
      error: 'bad',
      details: [{ path: 'target.tag', message: 'expected string' }],
    });
  });

  it('asks for a retry on 503', () => {
    expect(toHttpResponse(new UpstreamError('down'), captureLogger()).headers).toEqual({
      'Retry-After': '30',
    });
  });

  it('tells an anonymous caller nothing about a broken config, and logs all of it', () => {
    const log = captureLogger();
    const response = toHttpResponse(
      new ConfigError('/srv/app/autopilot.yaml has 2 problems: rules[0].pin.repo: unknown gitops repo "x"'),
      log,
    );
    expect(response.status).toBe(500);
    expect(JSON.stringify(response.jsonBody)).not.toMatch(/autopilot\.yaml|rules\[0\]|gitops/);
    expect(response.jsonBody).toEqual({ error: expect.stringContaining('config check') });
    expect(log.lines).toEqual([
      { level: 'error', message: expect.stringContaining('/srv/app/autopilot.yaml') },
    ]);
  });

  it('answers another delivery in flight with an info line and a short Retry-After', () => {
    const log = captureLogger();
    const response = toHttpResponse(new DomainError('in-flight', 'busy', { retryable: true }), log);
    expect(response).toMatchObject({
      status: 503,
      headers: { 'Retry-After': '5' },
      jsonBody: { error: 'busy' },
    });
    expect(log.lines.map((line) => line.level)).toEqual(['info']);
  });

  it('hides unexpected errors from the caller but logs them', () => {
    const log = captureLogger();
    const response = toHttpResponse(new TypeError('secret internals'), log);
    expect(response).toEqual({
      status: 500,
      jsonBody: { error: 'internal error; see the function logs for details' },
    });
    expect(log.all()).toContain('secret internals');
  });
});
