import { describe, expect, it } from 'vitest';
import { listImageReferences } from '../../../../shared/domain/pinning/list-image-refs';
import {
  protectedDigestsFor,
  readPinnedReferences,
} from '../../../../shared/domain/retention/pinned-references';
import { retentionSchema } from '../../../../shared/domain/config/retention-schema';
import { captureLogger } from '../../../helpers/fakes';
import { memoryGitReader } from '../../../helpers/retention-deps';
import { digest, repository, tag } from '../../../helpers/retention-builders';

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;

describe('listImageReferences (the pinning engine finder)', () => {
  it('finds whole references, Helm and kustomize fields and marked values', () => {
    const deployment = `apiVersion: apps/v1
kind: Deployment
spec:
  template:
    spec:
      containers:
        - name: web
          image: myreg.azurecr.io/team-a/web:1.2.3@${D1}
        - name: sidecar
          image: myreg.azurecr.io/team-a/sidecar:stable
        - name: var
          image: \${IMAGE}
`;
    expect(listImageReferences('deploy.yaml', deployment)).toEqual([
      { registry: 'myreg.azurecr.io', repository: 'team-a/web', tag: '1.2.3', digest: D1, line: 8 },
      { registry: 'myreg.azurecr.io', repository: 'team-a/sidecar', tag: 'stable', line: 10 },
    ]);
    const values = `image:
  registry: myreg.azurecr.io
  repository: team-a/api
  tag: 2.0.0
  digest: ${D2}
env:
  - name: OTHER
    value: "" # acr-autopilot: {"image": "myreg.azurecr.io/team-b/job:nightly", "field": "digest"}
`;
    expect(listImageReferences('values.yaml', values)).toEqual([
      { registry: 'myreg.azurecr.io', repository: 'team-b/job', tag: 'nightly', line: 8 },
      { registry: 'myreg.azurecr.io', repository: 'team-a/api', tag: '2.0.0', digest: D2, line: 4 },
    ]);
    const kustomization = `images:
  - name: myreg.azurecr.io/team-a/web
    newTag: 1.0.0
`;
    expect(listImageReferences('kustomization.yaml', kustomization)).toEqual([
      { registry: 'myreg.azurecr.io', repository: 'team-a/web', tag: '1.0.0', line: 3 },
    ]);
  });

  it('skips files that name none of the registries, and files that are not YAML', () => {
    expect(listImageReferences('a.yaml', 'image: other.io/x:1', ['myreg.azurecr.io'])).toEqual([]);
    expect(listImageReferences('t.yaml', 'image: {{ .Values.image }}:\n  - [')).toEqual([]);
  });
});

describe('readPinnedReferences and protectedDigestsFor', () => {
  const registries = retentionSchema.parse({
    registries: [
      { name: 'prod', type: 'acr', loginServer: 'myreg.azurecr.io' },
      { name: 'lab', type: 'oci', url: 'http://127.0.0.1:5000' },
    ],
  }).registries;
  const config = {
    gitops: {
      fleet: {
        url: 'https://git.example.com/fleet.git',
        branch: 'main',
        mode: 'push' as const,
        author: { name: 'a', email: 'a@b.c' },
      },
      broken: {
        url: 'https://git.example.com/broken.git',
        branch: 'main',
        mode: 'push' as const,
        author: { name: 'a', email: 'a@b.c' },
      },
    },
    registryAliases: { 'myreg.azurecr.io': ['images.example.com'] },
  };

  it('maps references to retention registries (aliases too) and reports unreadable repos', async () => {
    const git = memoryGitReader({
      'https://git.example.com/fleet.git': {
        'apps/web.yaml': `image: images.example.com/team-a/web@${D1}\n`,
        'apps/lab.yml': 'image: 127.0.0.1:5000/test/app:v2\n',
        'apps/elsewhere.yaml': 'image: docker.io/library/nginx:1.27\n',
        'README.md': `image: myreg.azurecr.io/team-a/readme@${D2}\n`,
      },
      'https://git.example.com/broken.git': new Error('503 from the git host'),
    });
    const found = await readPinnedReferences(
      { git, setting: () => undefined, log: captureLogger() },
      config,
      registries,
    );
    expect(found.references).toEqual([
      { registry: 'lab', repository: 'test/app', tag: 'v2', where: 'fleet:apps/lab.yml' },
      { registry: 'prod', repository: 'team-a/web', digest: D1, where: 'fleet:apps/web.yaml' },
    ]);
    expect(found.unreadable).toEqual([{ repo: 'broken', error: '503 from the git host' }]);

    const inventory = { repositories: [repository('test/app', [tag('v2', 'V2', 1), tag('v1', 'V1', 2)])] };
    expect(protectedDigestsFor('lab', found.references, inventory)).toEqual(
      new Map([[digest('V2'), 'fleet:apps/lab.yml (by tag v2)']]),
    );
    expect(protectedDigestsFor('prod', found.references, inventory)).toEqual(
      new Map([[D1, 'fleet:apps/web.yaml']]),
    );
  });
});
