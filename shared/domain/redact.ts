/**
 * How secrets are kept out of every log line and error message: URLs lose their user info and query
 * values (Workflows URLs carry their authorization in `sig`, Functions URLs in `code`), header values
 * that authenticate are never shown, and any text from elsewhere (an error body echoing the request)
 * is scrubbed of every spelling of those values.
 */

/** Query parameters known to be harmless in logs; every other value is replaced. */
/** Query parameters that name a protocol detail, never a secret: Azure's `api-version`, git's `service`. */
const publicParameters = new Set(['api-version', 'service']);

/** Headers whose values authenticate the request. */
const secretHeader =
  /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key|api-key|ocp-apim-subscription-key)$|token|secret|signature|password/i;

/**
 * The URL with every query value except `api-version` and `service` replaced by `REDACTED`, the fragment removed and
 * user info shown as `***@`. Not a URL at all: only a placeholder, since the text may be the secret.
 */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return '(not a valid URL)';
  }
  // `x-access-token:ghp_…@github.com/…` parses as a URL whose scheme is the user name: not one to show.
  if (!/^(https?|ssh|git):$/.test(parsed.protocol) || parsed.host === '') return '(not a valid URL)';
  const hadCredentials = parsed.username !== '' || parsed.password !== '';
  parsed.username = '';
  parsed.password = '';
  const query = [...parsed.searchParams.entries()]
    .map(([key, value]) => {
      const shown = publicParameters.has(key.toLowerCase()) ? encodeURIComponent(value) : 'REDACTED';
      return `${encodeURIComponent(key)}=${shown}`;
    })
    .join('&');
  const origin = `${parsed.protocol}//${hadCredentials ? '***@' : ''}${parsed.host}`;
  return `${origin}${parsed.pathname}${query ? `?${query}` : ''}`;
}

/** Every spelling of the secrets a URL carries: query values (raw, decoded, re-encoded) and user info. */
export function urlSecrets(url: string): string[] {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return [url];
  }
  const raw = parsed.search
    .slice(1)
    .split('&')
    .map((pair) => {
      const at = pair.indexOf('=');
      return at === -1 ? ([pair, ''] as const) : ([pair.slice(0, at), pair.slice(at + 1)] as const);
    })
    .filter(([key]) => !publicParameters.has(safeDecode(key).toLowerCase()))
    .map(([, value]) => value);
  const decoded = raw.flatMap((value) => [safeDecode(value), safeDecode(value.replace(/\+/g, ' '))]);
  const credentials = parsed.password ? [parsed.password, safeDecode(parsed.password)] : [];
  return [...raw, ...decoded, ...decoded.map(encodeURIComponent), ...credentials];
}

/**
 * The secret values in request headers: whole values of authenticating headers, the credential part of
 * `Basic`/`Bearer` values and the password inside a Basic credential.
 */
export function headerSecrets(headers: Readonly<Record<string, string>>): string[] {
  const secrets: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (!secretHeader.test(name)) continue;
    secrets.push(value);
    const scheme = /^(\w+)\s+(.+)$/.exec(value);
    if (!scheme?.[2]) continue;
    const credential = scheme[2];
    secrets.push(credential);
    if (scheme[1]?.toLowerCase() === 'basic') {
      const decoded = Buffer.from(credential, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon >= 0) secrets.push(decoded.slice(colon + 1));
    }
  }
  return secrets;
}

/**
 * Replaces every occurrence of the given secrets (values under 4 characters are too common to
 * replace) with `REDACTED`, longest first so a value that contains another is replaced whole.
 */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  const unique = [...new Set(secrets.filter((value) => value.length >= 4))].sort(
    (a, b) => b.length - a.length,
  );
  let scrubbed = text;
  for (const secret of unique) scrubbed = scrubbed.split(secret).join('REDACTED');
  return scrubbed;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
