/** Host names as the allow-lists compare them: exact entries or `*.suffix` patterns, loopback. */

/** True when `host` equals an entry or ends with a `*.suffix` entry's suffix. */
export function hostAllowed(host: string, patterns: readonly string[]): boolean {
  const name = normalizeHost(host);
  return patterns.some((entry) => {
    const pattern = normalizeHost(entry);
    return pattern.startsWith('*.')
      ? name.endsWith(pattern.slice(1)) && name.length > pattern.length - 1
      : name === pattern;
  });
}

/** Lower-case, without a trailing dot or IPv6 brackets: how hosts are compared. */
export function normalizeHost(host: string): string {
  return host
    .trim()
    .toLowerCase()
    .replace(/\.$/, '')
    .replace(/^\[|\]$/g, '');
}

/** 127.0.0.0/8, `localhost` or `::1` (with or without brackets): the only hosts plain http may reach. */
export function isLoopbackHost(host: string): boolean {
  const name = host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '');
  return name === 'localhost' || name === '::1' || /^127\.\d+\.\d+\.\d+$/.test(name);
}

/** True for an `http://` URL to a loopback host. */
export function isLoopbackHttpUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' && isLoopbackHost(parsed.hostname);
  } catch {
    return false;
  }
}
