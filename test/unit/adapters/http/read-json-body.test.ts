import { HttpRequest } from '@azure/functions';
import { describe, expect, it } from 'vitest';
import { readJsonBody } from '../../../../shared/adapters/http/read-json-body';

const request = (body: string, headers: Record<string, string>) =>
  new HttpRequest({
    method: 'POST',
    url: 'http://localhost/api/acr/webhook',
    body: { string: body },
    headers,
  });

describe('readJsonBody', () => {
  it.each([
    'application/json',
    'application/json; charset=utf-8',
    'application/cloudevents+json',
    'APPLICATION/JSON',
  ])('parses %s', async (contentType) => {
    expect(await readJsonBody(request('{"a":1}', { 'content-type': contentType }))).toEqual({ a: 1 });
  });

  it.each([
    ['text/plain', 'unsupported-media-type'],
    ['application/jsonx', 'unsupported-media-type'],
    ['application/x-www-form-urlencoded', 'unsupported-media-type'],
  ])('refuses %s', async (contentType, code) => {
    await expect(readJsonBody(request('{}', { 'content-type': contentType }))).rejects.toMatchObject({
      code,
    });
  });

  it('refuses a request without Content-Type', async () => {
    const req = new HttpRequest({
      method: 'POST',
      url: 'http://localhost/x',
      body: { bytes: Buffer.from('{}') },
    });
    await expect(readJsonBody(req)).rejects.toMatchObject({ code: 'unsupported-media-type' });
  });

  it('refuses bodies over the limit, declared or actual', async () => {
    const big = JSON.stringify({ pad: 'x'.repeat(300 * 1024) });
    await expect(readJsonBody(request(big, { 'content-type': 'application/json' }))).rejects.toMatchObject({
      code: 'payload-too-large',
    });
    await expect(
      readJsonBody(
        request('{}', { 'content-type': 'application/json', 'content-length': String(10 * 1024 * 1024) }),
      ),
    ).rejects.toMatchObject({ code: 'payload-too-large' });
  });

  it('refuses malformed JSON without quoting it back', async () => {
    const error = await readJsonBody(
      request('{"token":"abc123', { 'content-type': 'application/json' }),
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'malformed-json' });
    expect((error as Error).message).not.toContain('abc123');
  });
});
