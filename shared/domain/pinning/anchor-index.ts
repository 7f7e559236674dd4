import { isAlias, isMap, isScalar, isSeq, visit, type Alias, type Document, type Node } from 'yaml';

type Anchored = { name: string; start: number; node: Node };

/**
 * Anchors and aliases of one document, built on first use (most files have none). Resolves an alias the
 * YAML way — the last anchor of that name before it — without `Alias.resolve`, which walks the whole
 * document on every call.
 */
export class AnchorIndex {
  private anchors: Anchored[] | undefined;
  private aliases: Alias[] = [];

  constructor(private readonly doc: Document.Parsed) {}

  /** The node an alias stands for, or `undefined` for a dangling alias. */
  resolve(alias: Alias): Node | undefined {
    const start = alias.range?.[0] ?? Number.MAX_SAFE_INTEGER;
    let found: Node | undefined;
    for (const anchored of this.build()) {
      if (anchored.start >= start) break;
      if (anchored.name === alias.source) found = anchored.node;
    }
    return found;
  }

  /** Every alias in the document that stands for `node`. */
  aliasesOf(node: Node): Alias[] {
    this.build();
    return this.aliases.filter((alias) => alias.source === node.anchor && this.resolve(alias) === node);
  }

  private build(): Anchored[] {
    if (this.anchors !== undefined) return this.anchors;
    const anchors: Anchored[] = [];
    visit(this.doc, {
      Node: (_key, node) => {
        if (isAlias(node)) this.aliases.push(node);
        else if ((isScalar(node) || isMap(node) || isSeq(node)) && node.anchor !== undefined) {
          anchors.push({ name: node.anchor, start: node.range?.[0] ?? 0, node });
        }
      },
    });
    this.anchors = anchors.sort((a, b) => a.start - b.start);
    return this.anchors;
  }
}
