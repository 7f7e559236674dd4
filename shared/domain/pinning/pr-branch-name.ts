import { createHash } from 'node:crypto';

const PREFIX = 'autopilot/';
/** Keeps the branch's file name (the part after `autopilot/`) well under common 255-byte name limits. */
const MAX_NAME = 120;

/**
 * The bot-owned pull-request branch for an image tag: `autopilot/<repository with / as ->-<tag>`, e.g.
 * `prBranchName('payments/api', '1.4.2')` → `autopilot/payments-api-1.4.2`. Characters `git check-ref-format`
 * refuses become `-`; over-long names are cut and get a short hash so distinct inputs stay distinct.
 */
export function prBranchName(repository: string, tag: string): string {
  let name = Array.from(`${repository}-${tag}`, (char) => (refuses(char) ? '-' : char))
    .join('')
    .replace(/@\{/g, '-{')
    .replace(/\.{2,}/g, '.');
  const hash = () => createHash('sha256').update(`${repository}\0${tag}`).digest('hex').slice(0, 10);
  if (name.length > MAX_NAME) {
    name = `${name.slice(0, MAX_NAME - 11)}-${hash()}`;
  }
  // A component may not start with '.', end with '.' or '.lock', and the whole ref may not be '@'.
  name = name
    .replace(/^\.+/, '')
    .replace(/\.+$/, '')
    .replace(/\.lock$/i, '-lock');
  if (name === '' || name === '@') name = `image-${hash()}`;
  return `${PREFIX}${name}`;
}

/** Control characters, space, DEL and ~^:?*[\ are never allowed in a ref; '/' would add a path level. */
function refuses(char: string): boolean {
  const code = char.charCodeAt(0);
  return code <= 0x20 || code === 0x7f || '~^:?*[\\/'.includes(char);
}
