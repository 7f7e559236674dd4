import { isAlias, isMap, isPair, isScalar, isSeq, type Node, type Pair, type YAMLMap } from 'yaml';
import type { AnchorIndex } from './anchor-index';
import type { Field } from './candidate';

/** Reads a document's tree the way the shape rules need it: by key, through aliases. */
export class YamlNav {
  constructor(private readonly anchors: AnchorIndex) {}

  /** The node a value stands for: an alias resolved, a pair or a missing value as `undefined`. */
  deref(value: unknown): Node | undefined {
    if (isAlias(value)) return this.anchors.resolve(value);
    return isMap(value) || isSeq(value) || isScalar(value) ? value : undefined;
  }

  /** A scalar value (through an alias if need be); `undefined` for collections and missing values. */
  field(value: unknown): Field | undefined {
    if (isScalar(value)) return { node: value };
    if (isAlias(value)) {
      const target = this.anchors.resolve(value);
      if (isScalar(target)) return { node: target, via: value };
    }
    return undefined;
  }

  fieldAt(map: YAMLMap, key: string): Field | undefined {
    return this.field(pairAt(map, key)?.value);
  }

  child(node: Node | undefined, key: string): Node | undefined {
    return isMap(node) ? this.deref(pairAt(node, key)?.value) : undefined;
  }

  childPath(node: Node | undefined, keys: readonly string[]): Node | undefined {
    return keys.reduce<Node | undefined>((current, key) => this.child(current, key), node);
  }
}

/** A pair's key when it is a string (`1: x` and complex keys never name a shape). */
export function keyOf(pair: Pair): string | undefined {
  return isScalar(pair.key) && typeof pair.key.value === 'string' ? pair.key.value : undefined;
}

/** The pair with a string key, or `undefined`. */
export function pairAt(map: YAMLMap, key: string): Pair | undefined {
  for (const pair of map.items) if (isPair(pair) && keyOf(pair) === key) return pair;
  return undefined;
}

/** A string value under a key (not through aliases: used for `apiVersion`, `kind`, parameter names). */
export function stringAt(map: YAMLMap, key: string): string | undefined {
  const value = pairAt(map, key)?.value;
  return isScalar(value) && typeof value.value === 'string' ? value.value : undefined;
}

/** `image`, `initImage`, `sidecar_image`…: the keys Renovate's helm-values heuristic also reads (/image$/i). */
export function isImageKey(key: string): boolean {
  return key.length >= 5 && key.slice(-5).toLowerCase() === 'image';
}
