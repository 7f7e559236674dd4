import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { headerSecrets, redactUrl, scrubSecrets, urlSecrets } from '../../../shared/domain/redact';

const sig = 'AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_';
const logicAppsUrl =
  'https://prod-12.westeurope.logic.azure.com:443/workflows/5f1c0e2a9b7d/triggers/manual/paths/invoke' +
  `?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=${sig}`;

describe('redactUrl', () => {
  it.each([
    [
      'a Workflows URL: sig, sp and sv go, the api-version stays',
      logicAppsUrl,
      'https://prod-12.westeurope.logic.azure.com/workflows/5f1c0e2a9b7d/triggers/manual/paths/invoke' +
        '?api-version=2016-06-01&sp=REDACTED&sv=REDACTED&sig=REDACTED',
    ],
    [
      'a Functions key and user info',
      'https://u:p@app.azurewebsites.net/api/x?code=abc123==&x=1',
      'https://***@app.azurewebsites.net/api/x?code=REDACTED&x=REDACTED',
    ],
    [
      'a user name alone',
      'https://org@dev.azure.com/org/project/_git/fleet',
      'https://***@dev.azure.com/org/project/_git/fleet',
    ],
    ['the fragment', 'https://example.test/hook#access_token=abc', 'https://example.test/hook'],
    [
      "git's service stays, a token beside it goes",
      'https://github.com/contoso/fleet.git/info/refs?service=git-upload-pack&access_token=ghp_x',
      'https://github.com/contoso/fleet.git/info/refs?service=git-upload-pack&access_token=REDACTED',
    ],
    [
      'api-version in any case',
      'https://example.test/x?API-Version=7.1&token=abc',
      'https://example.test/x?API-Version=7.1&token=REDACTED',
    ],
    ['nothing from a URL without secrets', 'http://127.0.0.1:8080/a/b', 'http://127.0.0.1:8080/a/b'],
  ])('removes %s', (_, url, shown) => {
    expect(redactUrl(url)).toBe(shown);
  });

  it.each([sig, '', 'git@github.com:org/fleet.git'])(
    'does not echo %j, which is not a URL (it may be the secret itself)',
    (text) => {
      expect(redactUrl(text)).toBe('(not a valid URL)');
    },
  );

  // Known bug (reported, not fixed here): `user:token@host/...` parses as a URL whose scheme is
  // `user:` and whose opaque path is `token@host/...`, which redactUrl prints as `null` + path, token
  // included. gitRemote puts it into "gitops url … uses x-access-token:" messages. Turn this into
  // `it` once redactUrl shows only http(s) URLs (or the scheme alone).
  it('does not echo a token written as user:token@host without a scheme', () => {
    expect(redactUrl('x-access-token:ghp_leakedToken01@github.com/org/fleet.git')).not.toContain(
      'ghp_leakedToken01',
    );
  });
});

describe('urlSecrets', () => {
  it('lists every spelling of each query value except api-version', () => {
    const secrets = urlSecrets('https://x.logic.azure.com/w?api-version=2016-06-01&sig=a+b/c%3D%3D');
    expect(secrets).toEqual(expect.arrayContaining(['a+b/c%3D%3D', 'a+b/c==', 'a b/c==', 'a%2Bb%2Fc%3D%3D']));
    expect(secrets).not.toContain('2016-06-01');
  });

  it('lists the password of user info, raw and decoded', () => {
    expect(urlSecrets('https://user:p%40ssw0rd@example.test/')).toEqual(
      expect.arrayContaining(['p%40ssw0rd', 'p@ssw0rd']),
    );
  });

  it('treats text that is not a URL as a secret whole', () => {
    expect(urlSecrets('not a url with s3cret')).toEqual(['not a url with s3cret']);
  });
});

describe('headerSecrets', () => {
  const basic = Buffer.from('x-access-token:ghp_basicPassword01').toString('base64');

  it.each([
    [
      'Bearer',
      { Authorization: 'Bearer ghp_bearerToken01' },
      ['Bearer ghp_bearerToken01', 'ghp_bearerToken01'],
    ],
    ['Basic', { authorization: `Basic ${basic}` }, [`Basic ${basic}`, basic, 'ghp_basicPassword01']],
    ['an API key', { 'x-api-key': 'k-123456' }, ['k-123456']],
    ['a subscription key', { 'Ocp-Apim-Subscription-Key': 'sub-key-1' }, ['sub-key-1']],
    ['a header named like a token', { 'X-Registry-Token': 'reg-tok-1' }, ['reg-tok-1']],
    ['a cookie', { Cookie: 'session=abcdef' }, ['session=abcdef']],
  ])('lists the secrets of %s', (_, headers, expected) => {
    expect(headerSecrets(headers)).toEqual(expect.arrayContaining(expected));
  });

  it('lists nothing for headers that do not authenticate', () => {
    expect(
      headerSecrets({ Accept: 'application/json', 'User-Agent': 'acr-autopilot', 'Content-Type': 'x/y' }),
    ).toEqual([]);
  });
});

describe('scrubSecrets', () => {
  it('replaces every occurrence of every secret', () => {
    expect(scrubSecrets('tok1234 and again tok1234; also pw-5678', ['tok1234', 'pw-5678'])).toBe(
      'REDACTED and again REDACTED; also REDACTED',
    );
  });

  it('replaces the longest secret first, so no tail of it is left', () => {
    expect(scrubSecrets('Basic dXNlcjpwYXNz!', ['dXNl', 'Basic dXNlcjpwYXNz'])).toBe('REDACTED!');
  });

  it('leaves values under 4 characters alone (too common to replace)', () => {
    expect(scrubSecrets('a 1.0 build', ['1.0', '', 'a'])).toBe('a 1.0 build');
  });

  it('removes the query values of a URL from an error body, decoded and encoded', () => {
    const url = 'https://x.logic.azure.com/w?api-version=2016-06-01&sig=a+b/c==';
    const text = `bad signature a+b/c== for ${url} (raw a%2Bb%2Fc%3D%3D) api 2016-06-01`;
    const scrubbed = scrubSecrets(text, urlSecrets(url));
    expect(scrubbed).not.toContain('a+b/c==');
    expect(scrubbed).not.toContain('a%2Bb%2Fc%3D%3D');
    expect(scrubbed).toContain('2016-06-01');
  });

  it('leaves no secret in any text, wherever it is embedded', () => {
    // Lower-case hex secrets share no letter with REDACTED, so a replacement can never spell one.
    const secret = fc.stringMatching(/^[0-9a-f]{4,24}$/);
    fc.assert(
      fc.property(
        fc.array(secret, { minLength: 1, maxLength: 4 }),
        fc.array(fc.string()),
        (secrets, parts) => {
          const text = parts.map((part, i) => `${part}${secrets[i % secrets.length]}`).join('');
          const scrubbed = scrubSecrets(text, secrets);
          for (const value of secrets) expect(scrubbed).not.toContain(value);
        },
      ),
    );
  });
});
