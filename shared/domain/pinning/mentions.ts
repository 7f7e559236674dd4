import { isMap, isPair, isScalar, isSeq, Scalar, visit, type Document } from 'yaml';
import { ignoredGroups } from './find-candidates';
import { markerKeyword } from './markers';
import type { PinTarget } from './pin-target';
import type { SkipKind } from './rewrite-types';
import { stringAt } from './yaml-nav';

/** Characters of a reference that may stand right before the path (a host, `library/`) or right after it. */
const nameChar = /[A-Za-z0-9_.\-/:[\]]/;
const pathChar = /[A-Za-z0-9_.\-/]/;
const tagStart = /[A-Za-z0-9_]/;

/**
 * Offsets in `text` where the pushed repository's path is named the way an image is: the path as a whole
 * (`payments/api`, not `payments/api-worker` nor `team/payments/api`), alone or after a registry host
 * (`myreg.azurecr.io/`, any host: another registry is a mention too) or a variable standing for one
 * (`${REGISTRY}/`, `$REGISTRY/`, `{{ .Values.registry }}/`), and for Docker Hub also after `library/`
 * (`docker.io/library/alpine`, or `mirror.gcr.io/library/alpine` on another registry). Case-insensitive (an
 * upper-case path is a mention of a broken reference). A path of one component (`nginx`, `api`) standing
 * alone counts only followed by `:tag` or `@digest`, unless `loose` (the text is an image field's value),
 * so `app: nginx` and `name: api` are not mentions.
 */
export function mentionOffsets(text: string, target: PinTarget, loose = false): number[] {
  const screen = target.screen.toLowerCase();
  if (screen === '') return [];
  const lower = text.toLowerCase();
  const single = !screen.includes('/');
  const dockerHub = target.registry === 'docker.io';
  const found: number[] = [];
  for (let at = lower.indexOf(screen); at !== -1; at = lower.indexOf(screen, at + 1)) {
    const end = at + screen.length;
    const after = text[end];
    if (after !== undefined && pathChar.test(after)) continue;
    let start = at;
    while (start > 0 && nameChar.test(text[start - 1] ?? '')) start--;
    const run = text.slice(start, at);
    let qualified = run !== '';
    if (qualified) {
      if (!run.endsWith('/')) continue;
      const prefix = run.slice(0, -1);
      const slash = prefix.lastIndexOf('/');
      const before = text[start - 1];
      if (slash === -1) {
        const variable =
          (prefix === '' && before === '}') || (before === '$' && /^[A-Za-z_]\w*$/.test(prefix));
        if (!variable && !isHost(prefix) && !(dockerHub && prefix.toLowerCase() === 'library')) continue;
      } else {
        // `docker.io/library/alpine`, and `mirror.gcr.io/library/alpine`: the same path elsewhere.
        const host = prefix.slice(0, slash);
        const library = prefix.slice(slash + 1).toLowerCase();
        if (!(dockerHub && library === 'library' && isHost(host))) continue;
      }
    }
    if (single && !qualified && !loose) {
      const next = text[end + 1] ?? '';
      qualified = after === '@' || (after === ':' && tagStart.test(next));
      if (!qualified) continue;
    }
    found.push(at);
  }
  return found;
}

/** Whether a value names the pushed repository's path (see `mentionOffsets`, loose). */
export function namesPath(text: string, target: PinTarget): boolean {
  return mentionOffsets(text, target, true).length > 0;
}

/** `myreg.azurecr.io`, `localhost:5000`, `[::1]:5000`: what distribution/reference reads as a registry. */
function isHost(text: string): boolean {
  return (
    /^[A-Za-z0-9.\-:[\]]+$/.test(text) &&
    (text.includes('.') || text.includes(':') || text.toLowerCase() === 'localhost')
  );
}

/** A scalar of the file, with what it is: a key, a map value (and its key) or a list item. */
interface ScalarAt {
  start: number;
  end: number;
  node: Scalar;
  key: string | undefined;
  role: 'key' | 'value' | 'item';
  apiVersion: string;
}

/**
 * Says why a mention no shape rule read is left alone, from where it sits in the parsed file: a comment,
 * a block scalar, a key, an image-automation object, or the value of a field that is not an image (with
 * the marker comment that would make it one). The file's scalars are listed once, on the first call.
 */
export class UnreadMentions {
  private scalars: ScalarAt[] | undefined;

  constructor(
    private readonly docs: readonly Document.Parsed[],
    private readonly target: PinTarget,
  ) {}

  reason(offset: number): { reason: string; kind: SkipKind } {
    const found = this.scalarAt(offset);
    if (found === undefined) return { reason: 'in a comment; comments are never edited', kind: 'comment' };
    const { node, key, role, apiVersion } = found;
    if (node.type === Scalar.BLOCK_LITERAL || node.type === Scalar.BLOCK_FOLDED) {
      return {
        reason: 'inside a block scalar (| or >), text that is never edited (a ConfigMap, an embedded file)',
        kind: 'multi-line',
      };
    }
    if (role === 'key') return { reason: 'in a key, not a value', kind: 'not-an-image-field' };
    if (ignoredGroups.some((group) => apiVersion.startsWith(group))) {
      return {
        reason: 'in an image-automation object, which names a repository to watch, not an image to run',
        kind: 'not-an-image-field',
      };
    }
    const where = role === 'item' ? 'a list item' : key === undefined ? 'this value' : `\`${key}\``;
    const image = `${this.target.registry}/${this.target.repository}`;
    return {
      reason:
        `${where} is not read as an image reference; add \`# ${markerKeyword}: {"image": "${image}"}\` ` +
        'after the value to have it pinned',
      kind: 'not-an-image-field',
    };
  }

  /** The scalar whose source holds the offset (scalars never overlap), by binary search. */
  private scalarAt(offset: number): ScalarAt | undefined {
    const scalars = (this.scalars ??= listScalars(this.docs));
    let low = 0;
    let high = scalars.length - 1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      const scalar = scalars[mid];
      if (scalar === undefined) break;
      if (offset < scalar.start) high = mid - 1;
      else if (offset >= scalar.end) low = mid + 1;
      else return scalar;
    }
    return undefined;
  }
}

function listScalars(docs: readonly Document.Parsed[]): ScalarAt[] {
  const scalars: ScalarAt[] = [];
  for (const doc of docs) {
    const root = doc.contents;
    const apiVersion = isMap(root) ? (stringAt(root, 'apiVersion') ?? '') : '';
    visit(doc, {
      Scalar: (key, node, path) => {
        const [start, end] = node.range ?? [0, 0];
        if (end <= start) return;
        const parent = path.at(-1);
        const pairKey = isPair(parent) && isScalar(parent.key) ? String(parent.key.value) : undefined;
        const role = key === 'key' ? 'key' : isSeq(parent) ? 'item' : 'value';
        scalars.push({ start, end, node, key: pairKey, role, apiVersion });
      },
    });
  }
  return scalars.sort((a, b) => a.start - b.start);
}
