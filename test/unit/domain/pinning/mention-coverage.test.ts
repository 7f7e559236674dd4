import { describe, expect, it } from 'vitest';
import {
  rewriteImageRefs,
  type PushedImage,
  type RewriteOptions,
  type SkipKind,
} from '../../../../shared/domain/pinning/rewrite-image-refs';

const NEW = 'sha256:d33b0af8c00dd9446075b2bcebe7934fa85fc35f01cfd9595c37e8d45114a549';
const OLD = 'sha256:cba06b5736faf67e54b07b561eae94395e774c517a7d910a54369e1263ccfbd4';
const REF = 'myreg.azurecr.io/payments/api';
const api: PushedImage = {
  registry: 'myreg.azurecr.io',
  repository: 'payments/api',
  tag: '1.4.2',
  digest: NEW,
};
const nginx: PushedImage = { registry: 'docker.io', repository: 'library/nginx', tag: '1.27', digest: NEW };

type Outcome = 'pinned' | SkipKind;

/**
 * Every line that mentions the pushed repository ends as an edit or a skip at that line, with the kind
 * of reason a summary counts. `expected` maps each mention line to its outcome; lines not listed must
 * not be mentions.
 */
const table: [string, string, Record<number, Outcome>, PushedImage?, Partial<RewriteOptions>?][] = [
  ['a container on the pushed tag', `image: ${REF}:1.4.2\n`, { 1: 'pinned' }],
  ['a container on another tag', `image: ${REF}:1.4.1\n`, { 1: 'other-tag' }],
  ['a container already pinned', `image: ${REF}:1.4.2@${NEW}\n`, { 1: 'already-pinned' }],
  ['a reference without a tag (latest)', `image: ${REF}\n`, { 1: 'other-tag' }],
  ['a digest without a tag', `image: ${REF}@${OLD}\n`, { 1: 'no-tag' }],
  ['the path on another registry', `image: ghcr.io/payments/api:1.4.2\n`, { 1: 'other-registry' }],
  ['the path on Docker Hub', `image: payments/api:1.4.2\n`, { 1: 'other-registry' }],
  ['a registry variable', `image: \${REGISTRY}/payments/api:1.4.2\n`, { 1: 'templated' }],
  [
    'a template expression',
    `image: "{{ .Values.registry }}/payments/api:{{ .Values.tag }}"\n`,
    { 1: 'templated' },
  ],
  ['a Helm template file', `{{- if .Values.api }}\nimage: ${REF}:1.4.2\n{{- end }}\n`, { 2: 'templated' }],
  ['a comment line', `# was payments/api:1.4.1\nimage: nginx\n`, { 1: 'comment' }],
  ['a trailing comment', `image: nginx:1.27 # replaces payments/api\n`, { 1: 'comment' }],
  ['a block scalar', `script: |\n  set -e\n  docker pull ${REF}:1.4.2\n`, { 3: 'multi-line' }],
  ['an env value', `env:\n  - name: API_IMAGE\n    value: ${REF}:1.4.2\n`, { 3: 'not-an-image-field' }],
  ['an argument', `args: ["--image=${REF}:1.4.2", --verbose]\n`, { 1: 'not-an-image-field' }],
  [
    'an annotation',
    `metadata:\n  annotations:\n    note: deployed payments/api\n`,
    { 3: 'not-an-image-field' },
  ],
  ['a key', `payments/api: enabled\n`, { 1: 'not-an-image-field' }],
  [
    'a Flux ImageRepository',
    `apiVersion: image.toolkit.fluxcd.io/v1beta2\nkind: ImageRepository\nspec:\n  image: ${REF}\n`,
    { 4: 'not-an-image-field' },
  ],
  ['a split block on the pushed tag', `image:\n  repository: ${REF}\n  tag: 1.4.2\n`, { 2: 'pinned' }],
  ['a split block with an empty tag', `image:\n  repository: ${REF}\n  tag: ""\n`, { 2: 'no-tag' }],
  ['a split block without tag', `image:\n  repository: ${REF}\n  pullPolicy: Always\n`, { 2: 'no-tag' }],
  ['image beside imageTag', `image: ${REF}\nimageTag: 1.4.1\n`, { 1: 'other-tag' }],
  ['image beside version', `exporter:\n  image: ${REF}\n  version: 1.4.2\n`, { 2: 'pinned' }],
  [
    'a tag anchor shared with a label',
    `version: &v 1.4.2\nimage:\n  repository: ${REF}\n  tag: *v\n`,
    { 3: 'shared-anchor' },
  ],
  [
    'a marked value on another tag',
    `value: ${REF}:1.4.1 # acr-autopilot: {"image": "${REF}"}\n`,
    { 1: 'other-tag' },
  ],
  [
    'two references on one flow line',
    `containers: [{image: ${REF}:1.4.2}, {image: ${REF}:1.4.1}]\n`,
    { 1: 'pinned' },
  ],
  [
    'an alias of an anchored reference',
    `x-api: &api ${REF}:1.4.1\nservices:\n  api:\n    image: *api\n`,
    { 1: 'other-tag' },
  ],
  [
    'look-alikes that are no mention',
    `image: ${REF}-worker:1.4.2\nname: payments/api-worker\nurl: https://github.com/payments/api\nteam: team/payments/api\nx: payments/api/v2\n`,
    {},
  ],
  ['Docker Hub: the short name', `image: nginx:1.27\n`, { 1: 'pinned' }, nginx],
  ['Docker Hub: library/', `image: library/nginx:1.27\n`, { 1: 'pinned' }, nginx],
  [
    'Docker Hub: registry-1.docker.io',
    `image: registry-1.docker.io/library/nginx:1.27\n`,
    { 1: 'pinned' },
    nginx,
  ],
  ['Docker Hub: a mirror', `image: mirror.gcr.io/library/nginx:1.27\n`, { 1: 'other-registry' }, nginx],
  ['Docker Hub: the name on ghcr.io', `image: ghcr.io/nginx:1.27\n`, { 1: 'other-registry' }, nginx],
  ['Docker Hub: a label and a container name', `labels: {app: nginx}\nname: nginx\n`, {}, nginx],
  ['Docker Hub: another repository', `image: bitnami/nginx:1.27\n`, {}, nginx],
  ['Docker Hub: a comment', `# upstream nginx:1.27\nimage: nginx\n`, { 1: 'comment', 2: 'other-tag' }, nginx],
  ['Docker Hub: latest pushed', `image: nginx\n`, { 1: 'pinned' }, { ...nginx, tag: 'latest' }],
];

describe('every mention of the pushed repository ends as an edit or a skip', () => {
  it.each(table)('%s', (_name, content, expected, image = api, options = {}) => {
    const result = rewriteImageRefs([{ file: 'f.yaml', content }], image, options);
    const outcomes = Object.fromEntries(
      result.mentions.map((mention) => {
        if (mention.outcome === 'pinned') {
          const change = result.changes.find((c) => c.line === mention.changedLine);
          expect(change, `line ${mention.line} is pinned by a change`).toBeDefined();
          return [mention.line, 'pinned'];
        }
        const skips = result.skipped.filter((skip) => skip.line === mention.line);
        expect(skips.length, `line ${mention.line} has a skip`).toBeGreaterThan(0);
        for (const skip of skips) expect(skip.reason.length).toBeGreaterThan(10);
        return [mention.line, skips[0]?.kind];
      }),
    );
    expect(outcomes).toEqual(expected);
  });

  it('lists pinned and skipped mentions in file order, with the changed line of a split block', () => {
    const content = `# payments/api\nimage:\n  repository: ${REF}\n  pullPolicy: Always\n  tag: 1.4.2\n`;
    expect(rewriteImageRefs([{ file: 'v.yaml', content }], api).mentions).toEqual([
      { file: 'v.yaml', line: 1, outcome: 'skipped' },
      { file: 'v.yaml', line: 3, outcome: 'pinned', changedLine: 5 },
    ]);
  });

  it('counts a mention inside an added kustomize digest line at the added line', () => {
    const content = `images:\n  - name: ${REF}\n    newTag: 1.4.2\nresources: [deploy.yaml]\n`;
    const result = rewriteImageRefs([{ file: 'kustomization.yaml', content }], api);
    expect(result.mentions).toEqual([
      { file: 'kustomization.yaml', line: 2, outcome: 'pinned', changedLine: 4 },
    ]);
    expect(result.changes).toEqual([
      { file: 'kustomization.yaml', line: 4, before: '', after: `    digest: ${NEW}` },
    ]);
  });
});
