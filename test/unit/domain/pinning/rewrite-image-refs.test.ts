import { describe, expect, it } from 'vitest';
import {
  rewriteImageRefs,
  type PushedImage,
  type RewriteOptions,
} from '../../../../shared/domain/pinning/rewrite-image-refs';

const NEW = 'sha256:d33b0af8c00dd9446075b2bcebe7934fa85fc35f01cfd9595c37e8d45114a549';
const OLD = 'sha256:cba06b5736faf67e54b07b561eae94395e774c517a7d910a54369e1263ccfbd4';
const image: PushedImage = {
  registry: 'myreg.azurecr.io',
  repository: 'payments/api',
  tag: '1.4.2',
  digest: NEW,
};
const REF = 'myreg.azurecr.io/payments/api';

/** Rewrites one file and returns its new content (or the old one when unchanged) plus the notes. */
function rewrite(
  content: string,
  options: Partial<RewriteOptions> = {},
  pushed: PushedImage = image,
  file = 'f.yaml',
) {
  const result = rewriteImageRefs([{ file, content }], pushed, options);
  return { ...result, content: result.files[0]?.content ?? content };
}

describe('rewriteImageRefs', () => {
  it('returns only the files it changed, in input order, without touching the inputs', () => {
    const files = [
      { file: 'a.yaml', content: `image: ${REF}:1.4.2\n` },
      { file: 'b.yaml', content: `image: ${REF}:1.4.1\n` },
      { file: 'c.yaml', content: 'image: nginx:1.27\n' },
      { file: 'd.yaml', content: `x:\n  image: ${REF}:1.4.2\n` },
    ];
    const copy = structuredClone(files);
    const result = rewriteImageRefs(files, image);
    expect(result.files.map((f) => f.file)).toEqual(['a.yaml', 'd.yaml']);
    expect(files).toEqual(copy);
    expect(result.skipped).toEqual([
      { file: 'b.yaml', line: 1, kind: 'other-tag', reason: 'other tag 1.4.1 (pushed 1.4.2)' },
    ]);
  });

  it('reports whole lines before and after, without line breaks or a byte-order mark', () => {
    const result = rewrite(`\uFEFFimage: ${REF}:1.4.2 # app\r\nname: x\r\n`);
    expect(result.changes).toEqual([
      {
        file: 'f.yaml',
        line: 1,
        before: `image: ${REF}:1.4.2 # app`,
        after: `image: ${REF}:1.4.2@${NEW} # app`,
      },
    ]);
    expect(result.content).toBe(`\uFEFFimage: ${REF}:1.4.2@${NEW} # app\r\nname: x\r\n`);
  });

  it('changes nothing for a digest-only push or an event without registry', () => {
    const { tag: _tag, ...digestOnly } = image;
    expect(rewrite(`image: ${REF}:1.4.2\n`, {}, digestOnly).files).toEqual([]);
    expect(rewrite(`image: ${REF}:1.4.2\n`, {}, { ...image, registry: '' }).files).toEqual([]);
  });

  it('never parses files that do not name the repository, so broken ones elsewhere are not noise', () => {
    expect(rewrite('{{ .Values.whatever }}\n  : [\n').skipped).toEqual([]);
  });

  it.each([
    ['a Go template', `{{- if .Values.enabled }}\nimage: ${REF}:1.4.2\n{{- end }}\n`, 'templated', 1],
    ['a tab indent', `spec:\n\timage: ${REF}:1.4.2\n`, 'invalid-yaml', 2],
    ['an unclosed flow map', `a: b\nspec: {image: ${REF}:1.4.2\n`, 'invalid-yaml', 3],
    ['an unclosed quote (the parser gives up later)', `a: b\nimage: "${REF}:1.4.2\n`, 'invalid-yaml', 3],
  ])(
    'skips %s at the line naming the repository with the parse error and its line',
    (_n, content, kind, at) => {
      const result = rewrite(content);
      expect(result.files).toEqual([]);
      expect(result.skipped).toHaveLength(1);
      expect(result.skipped[0]).toMatchObject({ file: 'f.yaml', line: 2, kind });
      expect(result.skipped[0]?.reason).toMatch(/^not valid YAML: /);
      if (at !== 2) expect(result.skipped[0]?.reason).toContain(`(at line ${at})`);
      expect(result.mentions).toEqual([{ file: 'f.yaml', line: 2, outcome: 'skipped' }]);
    },
  );

  it('reports a broken file that names no repository path as a whole where the parser gave up', () => {
    const result = rewrite(`a: b\nimage: "${REF}-worker:1.4.2\n`);
    expect(result.skipped).toEqual([
      { file: 'f.yaml', line: 3, kind: 'invalid-yaml', reason: expect.stringMatching(/^not valid YAML: /) },
    ]);
    expect(result.mentions).toEqual([]);
  });

  it('never throws on garbage', () => {
    for (const content of [`\u0000${REF}\u0001`, `${REF}: [}`, `- ${REF}\n- &a *a`, `${REF}\n`.repeat(3)]) {
      expect(() => rewrite(content)).not.toThrow();
    }
  });

  it.each([
    ['a block scalar', `image: >-\n  ${REF}:1.4.2\n`, 'block scalar'],
    ['a multi-line plain scalar', `image: ${REF}\n  :1.4.2\n`, 'spans several lines'],
    ['a variable', `image: ${REF}:\${TAG}\n`, 'contains variable'],
    ['a template expression', `image: "${REF}:{{ .Chart.AppVersion }}"\n`, 'contains variable'],
    ['an upper-case path', `image: myreg.azurecr.io/Payments/API:1.4.2\n`, 'lowercase'],
  ])('skips %s that names the repository', (_name, content, reason) => {
    // A trailing comment makes the file name the path the way the screen looks for it.
    const result = rewrite(`${content}# payments/api\n`);
    expect(result.files).toEqual([]);
    expect(result.skipped.map((skip) => skip.kind)).toEqual([expect.any(String), 'comment']);
    expect(result.skipped[0]?.reason).toContain(reason);
  });

  it('reports only the variables and bad references that name the repository', () => {
    expect(rewrite(`image: \${IMAGE}\nother: ${REF}\nimage2: nginx:\${V}\n`).skipped).toEqual([
      { file: 'f.yaml', line: 2, kind: 'not-an-image-field', reason: expect.stringContaining('`other`') },
    ]);
  });

  it('reads a reference without a tag as :latest', () => {
    expect(rewrite(`image: ${REF}\n`).skipped).toEqual([
      { file: 'f.yaml', line: 1, kind: 'other-tag', reason: 'no tag, so it runs latest (pushed 1.4.2)' },
    ]);
    const latest = { ...image, tag: 'latest' };
    expect(rewrite(`image: ${REF} # app\n`, {}, latest).content).toBe(`image: ${REF}:latest@${NEW} # app\n`);
    expect(rewrite(`image: "${REF}"\n`, { render: 'digest-only' }, latest).content).toBe(
      `image: "${REF}@${NEW}"\n`,
    );
    // A digest without a tag is not latest: nothing says which tag it was.
    expect(rewrite(`image: ${REF}@${OLD}\n`, {}, latest).skipped[0]).toMatchObject({ kind: 'no-tag' });
  });

  it('keeps YAML tags and anchors in front of the edited value', () => {
    expect(rewrite(`image: !!str ${REF}:1.4.2\n`).content).toBe(`image: !!str ${REF}:1.4.2@${NEW}\n`);
    expect(rewrite(`a: &img ${REF}:1.4.2\nimage: *img\n`).skipped[0]?.reason).toContain('&img');
  });

  it('edits inside flow collections that span lines', () => {
    const content = `containers: [{name: a,\n  image: ${REF}:1.4.2}, {name: b, image: ${REF}:1.4.2,\n  args: [x]}]\n`;
    expect(rewrite(content).content).toBe(content.replaceAll(`${REF}:1.4.2`, `${REF}:1.4.2@${NEW}`));
  });

  it('handles directives, document end markers and duplicate keys', () => {
    const content = `%YAML 1.2\n---\nimage: ${REF}:1.4.2\nimage: ${REF}:1.4.2\n...\n---\nimage: ${REF}:1.4.2\n`;
    expect(rewrite(content).changes.map((change) => change.line)).toEqual([3, 4, 7]);
  });

  it('ignores Flux image automation and Argo CD Image Updater objects', () => {
    const content = [
      `apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImageRepository\nspec:\n  image: ${REF}:1.4.2\n`,
      `apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImageUpdateAutomation\nspec:\n  image: ${REF}:1.4.2\n`,
      `apiVersion: argocd-image-updater.argoproj.io/v1alpha1\nkind: ImageUpdater\nspec:\n  images:\n    - image: ${REF}:1.4.2\n`,
    ].join('---\n');
    expect(rewrite(content).files).toEqual([]);
  });

  it('reads name + tag under an image key, and image-ish keys like initImage', () => {
    const content = `image:\n  name: ${REF}\n  tag: 1.4.2\ninitImage: ${REF}:1.4.2\nrepository: ${REF}\n`;
    expect(rewrite(content).content).toBe(
      `image:\n  name: ${REF}\n  tag: 1.4.2@${NEW}\ninitImage: ${REF}:1.4.2@${NEW}\nrepository: ${REF}\n`,
    );
  });

  it('keeps a plain value a string: quotes it only if it would read as a number', () => {
    const content = `image: ${REF}:1.4.2 # acr-autopilot: {"image": "${REF}", "field": "ref"}\n`;
    expect(rewrite(content).content).toContain(`image: ${REF}:1.4.2@${NEW} #`);
  });

  describe('kustomize', () => {
    it('fills an empty digest key and keeps its comment', () => {
      const content = `images:\n  - name: ${REF}\n    newTag: 1.4.2\n    digest: # set by CI\n`;
      expect(rewrite(content, {}, image, 'kustomization.yaml').content).toBe(
        `images:\n  - name: ${REF}\n    newTag: 1.4.2\n    digest: ${NEW} # set by CI\n`,
      );
    });

    it('keeps newTag when rendering digest-only (kustomize then renders name:tag@digest)', () => {
      const content = `images:\n- name: api\n  newName: ${REF}\n  newTag: 1.4.2\n`;
      expect(rewrite(content, { render: 'digest-only' }, image, 'kustomization.yml').content).toBe(
        `${content}  digest: ${NEW}\n`,
      );
    });

    it('reads images only in kustomizations', () => {
      const content = `images:\n- name: api\n  newName: ${REF}\n  newTag: 1.4.2\n`;
      expect(rewrite(content, {}, image, 'values.yaml').files).toEqual([]);
    });

    it('leaves entries without newTag alone', () => {
      const content = `images:\n- name: ${REF}\n  digest: ${OLD}\n`;
      expect(rewrite(content, {}, image, 'kustomization.yaml').files).toEqual([]);
    });
  });

  describe('Argo CD', () => {
    it('skips a kustomize image override with a * placeholder that names the repository', () => {
      const content = `apiVersion: argoproj.io/v1alpha1\nkind: Application\nspec:\n  source:\n    kustomize:\n      images:\n        - api=${REF}:*\n`;
      const result = rewrite(content);
      expect(result.files).toEqual([]);
      expect(result.skipped[0]?.reason).toContain('placeholder');
    });

    it('pins an image parameter holding the whole reference', () => {
      const content = `apiVersion: argoproj.io/v1alpha1\nkind: Application\nspec:\n  source:\n    helm:\n      parameters:\n        - name: worker.image\n          value: ${REF}:1.4.2\n`;
      expect(rewrite(content).content).toContain(`value: ${REF}:1.4.2@${NEW}`);
    });
  });

  describe('markers', () => {
    it.each([
      ['a key line', `env:  # acr-autopilot: {"image": "${REF}"}\n  A: b\n`, 'not on the line of a value'],
      [
        'a digest field without tag',
        `d: "" # acr-autopilot: {"image": "${REF}", "field": "digest"}\n`,
        'needs a tag',
      ],
      ['not JSON', `v: x # acr-autopilot: image=${REF}\n`, 'expected a JSON object'],
      ['a digest in the image', `v: x # acr-autopilot: {"image": "${REF}@${OLD}"}\n`, 'without a digest'],
      ['an unknown field', `v: x # acr-autopilot: {"image": "${REF}", "field": "name"}\n`, 'field'],
      [
        'a value that is no reference',
        `v: Not A Ref # acr-autopilot: {"image": "${REF}"}\n`,
        'not an image reference',
      ],
    ])('reports a marker on %s', (_name, content, reason) => {
      const result = rewrite(content);
      expect(result.files).toEqual([]);
      expect(result.skipped).toHaveLength(1);
      expect(result.skipped[0]?.line).toBe(1);
      expect(result.skipped[0]?.reason).toContain(reason);
    });

    it('overrides the shape rules for the marked value', () => {
      // Marked for a tag stream: a value on another tag is not pinned by the image rule either.
      const content = `image: ${REF}:1.4.1 # acr-autopilot: {"image": "${REF}:1.4.1"}\n`;
      expect(rewrite(content).files).toEqual([]);
    });

    it('edits an alias target when the marker is on the alias and the anchor is an image too', () => {
      const content = `a:\n  image: &img ${REF}:1.4.2\nb:\n  ref: *img # acr-autopilot: {"image": "${REF}"}\n`;
      expect(rewrite(content).content).toBe(content.replace(`${REF}:1.4.2`, `${REF}:1.4.2@${NEW}`));
    });
  });

  it('lets references follow in follow mode only where the pattern allows', () => {
    const content = `image: ${REF}:1.4.1\n`;
    expect(rewrite(content, { mode: 'follow', tagPattern: 'semver:~1.3.0' }).files).toEqual([]);
    expect(rewrite(content, { mode: 'follow', tagPattern: 'semver:~1.4.0' }).content).toBe(
      `image: ${REF}:1.4.2@${NEW}\n`,
    );
    expect(rewrite(content, { mode: 'follow', render: 'digest-only' }).content).toBe(
      `image: ${REF}@${NEW}\n`,
    );
  });

  describe('Helm values shapes', () => {
    it('reads an image beside a tag key only in Helm values, not in other Kubernetes objects', () => {
      const values = `exporter:\n  image: ${REF}\n  version: 1.4.2\n`;
      expect(rewrite(values).content).toBe(`exporter:\n  image: ${REF}\n  version: 1.4.2@${NEW}\n`);
      // A Prometheus object's image is used as written: without a tag it is latest, whatever `version` says.
      const prometheus = `apiVersion: monitoring.coreos.com/v1\nkind: Prometheus\nspec:\n  image: ${REF}\n  version: 1.4.2\n`;
      const result = rewrite(prometheus);
      expect(result.files).toEqual([]);
      expect(result.skipped).toMatchObject([
        { line: 4, kind: 'other-tag', reason: expect.stringMatching(/latest/) },
      ]);
    });

    it('reads values under kustomize helmCharts valuesInline and Argo CD valuesObject, with their global registry', () => {
      const kustomization = `helmCharts:\n  - name: api\n    valuesInline:\n      global: {imageRegistry: myreg.azurecr.io}\n      image: {registry: docker.io, repository: payments/api, tag: 1.4.2}\n`;
      expect(rewrite(kustomization, {}, image, 'kustomization.yaml').content).toContain(`tag: 1.4.2@${NEW}}`);
      const application = `apiVersion: argoproj.io/v1alpha1\nkind: Application\nspec:\n  source:\n    helm:\n      valuesObject:\n        global:\n          image:\n            registry: myreg.azurecr.io\n        api:\n          image: {repository: payments/api, tag: 1.4.2}\n`;
      expect(rewrite(application).content).toContain(`tag: 1.4.2@${NEW}}`);
    });

    it('keeps a global registry to the values it belongs to', () => {
      const content = `global: {imageRegistry: myreg.azurecr.io}\n---\napi:\n  image: {repository: payments/api, tag: 1.4.2}\n`;
      expect(rewrite(content).skipped).toMatchObject([{ line: 4, kind: 'other-registry' }]);
    });

    it('refuses to write a non-sha256 digest into a bare-hex sha field', () => {
      const sha512 = `sha512:${'ab'.repeat(64)}`;
      const content = `image:\n  repository: ${REF}\n  tag: 1.4.2\n  sha: ""\n`;
      const result = rewrite(content, {}, { ...image, digest: sha512 });
      expect(result.files).toEqual([]);
      expect(result.skipped).toMatchObject([
        { line: 2, kind: 'cannot-edit', reason: expect.stringContaining('sha') },
      ]);
      // A digest field in the prefixed form takes it.
      expect(
        rewrite(content.replace('sha: ""', 'digest: ""'), {}, { ...image, digest: sha512 }).content,
      ).toContain(`digest: "${sha512}"`);
    });

    it('keeps the tag form and the digest form of a digest-only render in split fields', () => {
      const content = `image:\n  registry: myreg.azurecr.io\n  image: payments/api\n  tag: 1.4.2\n  digest: ${OLD}\n`;
      expect(rewrite(content, { render: 'digest-only' }).content).toBe(content.replace(OLD, NEW));
    });
  });

  it('puts the digest into the tag of a split Helm reference even for digest-only', () => {
    const content = `image:\n  repository: ${REF}\n  tag: '1.4.2'\n`;
    expect(rewrite(content, { render: 'digest-only' }).content).toBe(
      `image:\n  repository: ${REF}\n  tag: '1.4.2@${NEW}'\n`,
    );
  });
});
