import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { rewriteImageRefs } from '../../../../shared/domain/pinning/rewrite-image-refs';

const NEW = 'sha256:d33b0af8c00dd9446075b2bcebe7934fa85fc35f01cfd9595c37e8d45114a549';
const OLD = 'sha256:cba06b5736faf67e54b07b561eae94395e774c517a7d910a54369e1263ccfbd4';
const image = { registry: 'myreg.azurecr.io', repository: 'payments/api', tag: '1.4.2', digest: NEW };
const REPO = 'myreg.azurecr.io/payments/api';

const kinds = ['pushed', 'old-digest', 'pinned', 'other-tag', 'other-repo', 'docker-hub'] as const;
type Kind = (typeof kinds)[number];

function reference(kind: Kind, host: string): string {
  switch (kind) {
    case 'pushed':
      return `${host}/payments/api:1.4.2`;
    case 'old-digest':
      return `${host}/payments/api:1.4.2@${OLD}`;
    case 'pinned':
      return `${host}/payments/api:1.4.2@${NEW}`;
    case 'other-tag':
      return `${host}/payments/api:1.4.1`;
    case 'other-repo':
      return `${host}/payments/ledger:1.4.2`;
    case 'docker-hub':
      return 'payments/api:1.4.2';
  }
}

const expectedReference = (kind: Kind, host: string): string =>
  kind === 'pushed' || kind === 'old-digest' ? `${host}/payments/api:1.4.2@${NEW}` : reference(kind, host);

const quoteStyles = ['plain', 'double', 'single'] as const;
const quote = (text: string, style: (typeof quoteStyles)[number]): string =>
  style === 'double' ? `"${text}"` : style === 'single' ? `'${text}'` : text;

/** Comment text: anything but a line break, including #, quotes, tabs, flow indicators and non-ASCII. */
const commentText = fc.string({
  unit: fc.constantFrom(
    'a',
    'Z',
    '0',
    ' ',
    '\t',
    '#',
    ':',
    '-',
    '"',
    "'",
    'é',
    '{',
    '}',
    '[',
    ']',
    ',',
    '@',
    '/',
    'ü',
  ),
  maxLength: 16,
});
const optionalComment = fc.option(
  fc.tuple(fc.constantFrom(' ', '  ', '\t', ' \t'), commentText).map(([gap, text]) => `${gap}# ${text}`),
  { nil: '' },
);

const container = fc.record({
  name: fc.stringMatching(/^[a-z][a-z0-9-]{0,6}$/),
  kind: fc.constantFrom(...kinds),
  host: fc.constantFrom('myreg.azurecr.io', 'MyReg.azurecr.io'),
  quote: fc.constantFrom(...quoteStyles),
  flow: fc.boolean(),
  trailing: fc.constantFrom('', ' ', '   '),
  comment: optionalComment,
  commentLineAfter: fc.option(fc.tuple(fc.constantFrom('', '  ', '\t', '      '), commentText), {
    nil: undefined,
  }),
  blankAfter: fc.boolean(),
});

const extraValue = fc.oneof(
  fc.stringMatching(/^[a-z][a-z0-9.]{0,8}$/),
  fc.string({ maxLength: 12 }).map((text) => JSON.stringify(text)),
  fc.constant('"myreg.azurecr.io/payments/api:1.4.2"'),
  fc.constant('[a, {b: c}]'),
);
const extras = fc.uniqueArray(
  fc.record({
    key: fc
      .stringMatching(/^[a-z][a-z0-9-]{0,8}$/)
      .filter((key) => !['kind', 'spec', 'metadata'].includes(key)),
    value: extraValue,
    comment: optionalComment,
  }),
  { selector: (extra) => extra.key, maxLength: 3 },
);

const document = fc.record({
  name: fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/),
  keyIndent: fc.constantFrom(2, 4),
  seqIndent: fc.constantFrom(0, 2),
  extras,
  containers: fc.array(container, { minLength: 1, maxLength: 5 }),
});
type Doc = typeof document extends fc.Arbitrary<infer T> ? T : never;

const file = fc.record({
  docs: fc.array(document, { minLength: 1, maxLength: 3 }),
  eol: fc.constantFrom('\n', '\r\n'),
  bom: fc.boolean(),
  leadingSeparator: fc.boolean(),
  trailingSeparator: fc.boolean(),
});

function renderDoc(doc: Doc, eol: string): string {
  const pad = (n: number): string => ' '.repeat(n);
  const k = doc.keyIndent;
  let text = `apiVersion: v1${eol}kind: Pod${eol}metadata:${eol}${pad(k)}name: ${doc.name}${eol}`;
  for (const extra of doc.extras) text += `${extra.key}: ${extra.value}${extra.comment}${eol}`;
  text += `spec:${eol}${pad(k)}containers:${eol}`;
  const item = pad(k + doc.seqIndent);
  for (const c of doc.containers) {
    const ref = quote(reference(c.kind, c.host), c.quote);
    text += c.flow
      ? `${item}- {name: ${c.name}, image: ${ref}}${c.trailing}${c.comment}${eol}`
      : `${item}- name: ${c.name}${eol}${item}  image: ${ref}${c.trailing}${c.comment}${eol}`;
    if (c.commentLineAfter !== undefined) text += `${c.commentLineAfter[0]}# ${c.commentLineAfter[1]}${eol}`;
    if (c.blankAfter) text += eol;
  }
  return text;
}

const toData = (content: string): unknown[] =>
  parseAllDocuments(content).map((doc) => {
    expect(doc.errors).toEqual([]);
    return doc.toJS();
  });

describe('rewriteImageRefs properties', () => {
  it('changes only the lines of matching references, keeps their quoting, and the data stays the same otherwise', () => {
    fc.assert(
      fc.property(file, (spec) => {
        const body = spec.docs.map((doc) => renderDoc(doc, spec.eol)).join(`---${spec.eol}`);
        const content = `${spec.bom ? '\uFEFF' : ''}${spec.leadingSeparator ? `---${spec.eol}` : ''}${body}${
          spec.trailingSeparator ? `---${spec.eol}` : ''
        }`;
        const result = rewriteImageRefs([{ file: 'pod.yaml', content }], image);
        const all = spec.docs.flatMap((doc) => doc.containers);
        const changing = all.filter((c) => c.kind === 'pushed' || c.kind === 'old-digest');

        // Every other mention of the repository is reported, with why.
        const skippedKinds: Partial<Record<Kind, string>> = {
          pinned: 'already-pinned',
          'other-tag': 'other-tag',
          'docker-hub': 'other-registry',
        };
        const expectedSkips = [
          ...all.flatMap((c) => skippedKinds[c.kind] ?? []),
          ...spec.docs.flatMap((doc) =>
            doc.extras
              .filter((extra) => extra.value.includes('payments/api'))
              .map(() => 'not-an-image-field'),
          ),
        ];
        expect(result.skipped.map((skip) => skip.kind).sort()).toEqual(expectedSkips.sort());
        expect(result.mentions.filter((mention) => mention.outcome === 'pinned')).toHaveLength(
          changing.length,
        );
        expect(result.mentions).toHaveLength(changing.length + expectedSkips.length);
        expect(result.files.length).toBe(changing.length > 0 ? 1 : 0);
        const output = result.files[0]?.content ?? content;

        // Line by line: same number of lines; a changed line is the old line with the reference swapped
        // inside the same quotes, everything else byte-identical.
        const oldLines = content.split('\n');
        const newLines = output.split('\n');
        expect(newLines.length).toBe(oldLines.length);
        const pending = [...changing];
        oldLines.forEach((line, index) => {
          if (newLines[index] === line) return;
          const c = pending.shift();
          expect(c).toBeDefined();
          if (c === undefined) return;
          const before = quote(reference(c.kind, c.host), c.quote);
          const after = quote(expectedReference(c.kind, c.host), c.quote);
          expect(line).toContain(before);
          expect(newLines[index]).toBe(line.replace(before, after));
        });
        expect(pending).toEqual([]);
        expect(result.changes.map((change) => change.line)).toEqual(
          oldLines.flatMap((line, index) => (newLines[index] === line ? [] : [index + 1])),
        );

        // The data: the same documents, with exactly the matching images replaced.
        const expected = toData(content) as { spec?: { containers?: { image?: string }[] } }[];
        const docsWithContainers = expected.filter((doc) => doc?.spec?.containers !== undefined);
        docsWithContainers.forEach((doc, d) =>
          doc.spec?.containers?.forEach((entry, i) => {
            const c = spec.docs[d]?.containers[i];
            if (c !== undefined) entry.image = expectedReference(c.kind, c.host);
          }),
        );
        expect(toData(output)).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });
  it('edits the right field of split Helm references under arbitrary parent keys', () => {
    const block = fc.record({
      parent: fc
        .stringMatching(/^[a-z][a-zA-Z0-9_]{0,8}$/)
        .filter((key) => !/image$|^(repository|tag|digest|registry|name|reference)$/i.test(key)),
      indent: fc.constantFrom(2, 3, 4),
      registry: fc.boolean(),
      digestKey: fc.constantFrom('none', 'empty', 'old'),
      tag: fc.constantFrom('1.4.2', '1.4.1'),
      quote: fc.constantFrom(...quoteStyles),
      comment: optionalComment,
      flow: fc.boolean(),
    });
    const values = fc.uniqueArray(block, { selector: (b) => b.parent, minLength: 1, maxLength: 4 });
    fc.assert(
      fc.property(values, fc.constantFrom('\n', '\r\n'), (blocks, eol) => {
        const content = blocks
          .map((b) => {
            const fields: [string, string][] = [];
            if (b.registry) fields.push(['registry', 'myreg.azurecr.io']);
            fields.push(['repository', b.registry ? 'payments/api' : REPO]);
            fields.push(['tag', quote(b.tag, b.quote)]);
            if (b.digestKey === 'empty') fields.push(['digest', '""']);
            if (b.digestKey === 'old') fields.push(['digest', OLD]);
            if (b.flow)
              return `${b.parent}: {${fields.map(([k, v]) => `${k}: ${v}`).join(', ')}}${b.comment}${eol}`;
            const pad = ' '.repeat(b.indent);
            return `${b.parent}:${b.comment}${eol}${fields.map(([k, v]) => `${pad}${k}: ${v}${eol}`).join('')}`;
          })
          .join('');
        const result = rewriteImageRefs([{ file: 'values.yaml', content }], image);
        const output = result.files[0]?.content ?? content;
        // A block on another tag is reported at its repository line (the line that names the image).
        expect(result.skipped.map((skip) => skip.kind)).toEqual(
          blocks.filter((b) => b.tag !== '1.4.2').map(() => 'other-tag'),
        );

        const expected = toData(content)[0] as Record<string, Record<string, string>>;
        for (const b of blocks) {
          const entry = expected[b.parent];
          if (entry === undefined || b.tag !== '1.4.2') continue;
          if (b.digestKey === 'none') entry.tag = `1.4.2@${NEW}`;
          else entry.digest = NEW;
        }
        expect(toData(output)[0]).toEqual(expected);

        const oldLines = content.split('\n');
        const newLines = output.split('\n');
        expect(newLines.length).toBe(oldLines.length);
        const changedLines = oldLines.filter((line, index) => newLines[index] !== line).length;
        // One line per pinned block: the tag line, the digest line, or the one line of a flow map.
        expect(changedLines).toBe(blocks.filter((b) => b.tag === '1.4.2').length);
        expect(result.changes).toHaveLength(changedLines);
      }),
      { numRuns: 200 },
    );
  });
});
