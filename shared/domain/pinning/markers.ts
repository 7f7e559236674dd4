import { Lexer } from 'yaml';
import { z } from 'zod';
import { parseImageReference, type ImageReference } from './image-reference';

/**
 * The marker comment that makes any scalar an image reference, for places no shape rule knows
 * (an env var, a CRD field, a short name resolved elsewhere).
 *
 * Grammar: a trailing comment on the same line as the value, `# acr-autopilot: <JSON object>`, where the
 * object is
 * - `"image"` (required): the image the value refers to, `registry/repository` with an optional `:tag`;
 *   no digest. With a tag, the value follows that tag only (it is pinned when that tag is pushed, even if
 *   the value itself carries no tag, e.g. `app@sha256:…`) and is never moved by `follow`.
 * - `"field"` (optional): what the value holds. `"ref"` (default): a whole reference, any spelling of
 *   the name (`api:1.4.2` → `api:1.4.2@sha256:…`); `"tag"`: a tag, written as `tag@sha256:…`;
 *   `"digest"`: a digest, written as `sha256:…` (needs a tag in `"image"`).
 *
 * The marked value is the last value that ends on the comment's line before the comment. A marker
 * overrides the shape rules for that value; a marker for another image leaves the line alone. An
 * invalid marker is reported as skipped, never guessed at.
 *
 * @example
 * ```yaml
 * - name: APP_IMAGE
 *   value: api:1.4.2 # acr-autopilot: {"image": "myreg.azurecr.io/payments/api"}
 * - name: APP_DIGEST
 *   value: "" # acr-autopilot: {"image": "myreg.azurecr.io/payments/api:stable", "field": "digest"}
 * ```
 */
export const markerKeyword = 'acr-autopilot';

/** A marker read from a comment. */
export interface Marker {
  image: ImageReference;
  field: 'ref' | 'tag' | 'digest';
}

/** A marker comment at `offset` (the `#`), or why it could not be read. */
export type FoundMarker = { offset: number; marker: Marker } | { offset: number; problem: string };

const markerSchema = z.strictObject({
  image: z.string().min(1),
  field: z.enum(['ref', 'tag', 'digest']).default('ref'),
});

const markerStart = new RegExp(`^#\\s*${markerKeyword}\\s*:`);

/** lexer control codes (document start, flow error end, scalar prefix); they are not in the source. */
const controlCodes = new Set(['\x02', '\x18', '\x1f']);

/**
 * Finds marker comments with the YAML lexer, so `#` inside quoted strings and block scalars never counts.
 */
export function findMarkers(content: string): FoundMarker[] {
  if (!content.includes(markerKeyword)) return [];
  const found: FoundMarker[] = [];
  let offset = 0;
  let scalarNext = false;
  for (const token of new Lexer().lex(content)) {
    if (controlCodes.has(token)) {
      // After the scalar prefix comes a scalar's text, which may well start with `#` (block scalars).
      scalarNext = token === '\x1f';
      continue;
    }
    if (!scalarNext && token.startsWith('#') && markerStart.test(token)) {
      found.push({ offset, ...readMarker(token) });
    }
    scalarNext = false;
    offset += token.length;
  }
  return found;
}

function readMarker(comment: string): { marker: Marker } | { problem: string } {
  const json = comment.replace(markerStart, '').trim();
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch {
    return {
      problem: `invalid ${markerKeyword} marker: expected a JSON object like {"image": "myreg.azurecr.io/app"}`,
    };
  }
  const parsed = markerSchema.safeParse(data);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) =>
      issue.path.length === 0 ? issue.message : `${issue.path.join('.')}: ${issue.message}`,
    );
    return { problem: `invalid ${markerKeyword} marker: ${issues.join('; ')}` };
  }
  const image = parseImageReference(parsed.data.image);
  if (!image.ok) return { problem: `invalid ${markerKeyword} marker image: ${image.reason}` };
  if (image.reference.digest !== undefined) {
    return { problem: `invalid ${markerKeyword} marker image: name the image without a digest` };
  }
  if (parsed.data.field === 'digest' && image.reference.tag === undefined) {
    return {
      problem: `invalid ${markerKeyword} marker: "field": "digest" needs a tag in "image" (…/app:stable)`,
    };
  }
  return { marker: { image: image.reference, field: parsed.data.field } };
}
