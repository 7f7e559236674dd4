/**
 * Text helpers for card builders: markdown escaping, clipping and the few formats cards share. Every
 * string that came from outside (tags, paths, error messages) passes `escapeMarkdown` before it lands in
 * a TextBlock or a Fact, both of which Teams runs through its markdown subset.
 */

/**
 * Makes user-controlled text render literally in Teams markdown.
 *
 * Backslash escapes are what Teams desktop and web honour; some older mobile clients showed the
 * backslash (MicrosoftDocs/msteams-docs#5793, fixed on iOS in microsoft/Teams-AdaptiveCards-Mobile#83),
 * so escaping is kept to what can actually change the rendering:
 * - `\` `*` `` ` `` `~` `[` `]` `<` `>` everywhere (emphasis, code, strike, links, `<at>` mentions);
 * - `_` only where it can open or close emphasis, i.e. not between two letters or digits, because
 *   intraword underscores (`my_service`, `build_42`) are common in image names and never emphasis;
 * - line-leading `#`, `-`, `+` and `1.` list or heading markers.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\\*`~[\]<>]/g, '\\$&')
    .replace(/_/g, (underscore, offset: number, whole: string) =>
      isWordChar(whole[offset - 1]) && isWordChar(whole[offset + 1]) ? underscore : '\\_',
    )
    .replace(/^(\s*)([#+-]|\d+\.)(?=\s|$)/gm, '$1\\$2');
}

function isWordChar(char: string | undefined): boolean {
  return char !== undefined && /[\p{L}\p{N}]/u.test(char);
}

/** At most `max` characters, ending in "…" when cut; keeps one huge field from crowding out the rest. */
export function clip(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, Math.max(0, max - 1)).join('')}…`;
}

/** The first sentence of an error message, whitespace collapsed, at most `max` characters. */
export function firstSentence(text: string, max = 300): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  // A period counts only when followed by a space: `myreg.azurecr.io` or `v1.2.3` are not sentence ends.
  const end = flat.search(/[.!?](\s|$)/);
  return clip(end === -1 ? flat : flat.slice(0, end + 1), max);
}

/** `2025-11-25T01:08:09.123Z` → `2025-11-25 01:08:09 UTC`; the original text when it is not a date. */
export function formatUtc(iso: string): string {
  const time = Date.parse(iso);
  if (Number.isNaN(time)) return iso;
  return `${new Date(time).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** `1 file`, `3 files`; `noun` is the singular, `plural` defaults to noun + "s". */
export function count(n: number, noun: string, plural = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : plural}`;
}

/**
 * The URL when it is an absolute http(s) URL short enough for a button, else undefined. Links in a
 * payload come from other systems' answers (a run URL, a pull request URL); a `javascript:` or relative
 * one must not become a button.
 */
export function safeLink(url: string | undefined): string | undefined {
  if (url === undefined || url.length > 2_000) return undefined;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}

const mediaTypeNames: Record<string, string> = {
  'application/vnd.docker.distribution.manifest.v2+json': 'Docker image manifest',
  'application/vnd.docker.distribution.manifest.list.v2+json': 'Docker manifest list (multi-platform)',
  'application/vnd.oci.image.manifest.v1+json': 'OCI image manifest',
  'application/vnd.oci.image.index.v1+json': 'OCI image index (multi-platform)',
  'application/vnd.oci.artifact.manifest.v1+json': 'OCI artifact manifest',
};

/** `OCI image index (multi-platform) · application/vnd.oci.image.index.v1+json`, or the raw type. */
export function describeMediaType(mediaType: string): string {
  const name = mediaTypeNames[mediaType];
  return name ? `${name} · ${mediaType}` : mediaType;
}
