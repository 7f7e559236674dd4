import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../shared/config/load-config';
import { ConfigError, type Issue } from '../../../shared/domain/errors';

function problems(yaml: string): Issue[] {
  try {
    parseConfig(yaml);
  } catch (error) {
    if (error instanceof ConfigError) return error.issues as Issue[];
    throw error;
  }
  throw new Error('expected a ConfigError');
}

const target = (yaml: string) => parseConfig(`deployTargets:\n  t: ${yaml}\n`).deployTargets['t'];

const inputs = (count: number) =>
  `{ ${Array.from({ length: count }, (_, i) => `i${i}: '{{tag}}'`).join(', ')} }`;

describe('deployTargets', () => {
  it.each([
    [
      'a GitHub workflow, defaults applied',
      '{ type: github-workflow, repo: contoso/web, workflow: deploy.yml, tokenFrom: GH }',
      {
        type: 'github-workflow',
        repo: 'contoso/web',
        workflow: 'deploy.yml',
        ref: 'main',
        inputs: { image: '{{image}}', repository: '{{repository}}', tag: '{{tag}}', digest: '{{digest}}' },
        tokenFrom: 'GH',
        apiUrl: 'https://api.github.com',
        regionTimeout: 600_000,
      },
    ],
    [
      'a GitHub workflow by numeric id',
      '{ type: github-workflow, repo: contoso/web, workflow: 161335, tokenFrom: GH }',
      expect.objectContaining({ workflow: '161335' }),
    ],
    [
      'a repository dispatch',
      '{ type: github-dispatch, repo: contoso/web, eventType: "deploy-{{ repository }}", tokenFrom: GH }',
      expect.objectContaining({ eventType: 'deploy-{{ repository }}', apiUrl: 'https://api.github.com' }),
    ],
    [
      'Azure Pipelines with a PAT',
      '{ type: azure-pipelines, organization: contoso, project: Payments, pipelineId: 7, tokenFrom: ADO_PAT }',
      expect.objectContaining({ auth: 'pat', tokenFrom: 'ADO_PAT', apiUrl: 'https://dev.azure.com' }),
    ],
    [
      'Azure Pipelines with Entra',
      '{ type: azure-pipelines, organization: contoso, project: Payments, pipelineId: 7, auth: entra }',
      expect.objectContaining({ auth: 'entra' }),
    ],
    [
      'Argo CD, refresh by default',
      '{ type: argocd, server: https://argocd.example.com, application: web, tokenFrom: ARGO }',
      expect.objectContaining({ action: 'refresh' }),
    ],
    [
      "Argo CD with the older 'sync: true'",
      '{ type: argocd, server: https://argocd.example.com, application: web, sync: true, tokenFrom: ARGO }',
      expect.not.objectContaining({ sync: expect.anything() }),
    ],
    [
      'a Container App',
      '{ type: container-app, subscriptionId: 0b1f6471-1bf0-4dda-aec3-cb9272f09590, resourceGroup: rg-web, app: web }',
      expect.objectContaining({ armUrl: 'https://management.azure.com' }),
    ],
    [
      'a webhook with its URL in an app setting',
      '{ type: webhook, urlFrom: HOOK_URL, secretFrom: HOOK_SECRET }',
      expect.objectContaining({ urlFrom: 'HOOK_URL', eventType: 'image.pushed' }),
    ],
    [
      'a replication gate',
      '{ type: webhook, url: https://hooks.example.com/x, regions: [West Europe, northeurope], regionTimeout: 90s }',
      expect.objectContaining({ regions: ['West Europe', 'northeurope'], regionTimeout: 90_000 }),
    ],
  ])('accepts %s', (_name, yaml, expected) => {
    expect(target(yaml)).toEqual(expected);
  });

  it("maps the older Argo CD 'sync: true' to action: sync", () => {
    expect(
      target('{ type: argocd, server: https://a.example.com, application: web, sync: true, tokenFrom: A }'),
    ).toMatchObject({ action: 'sync' });
  });

  it.each([
    [
      '26 workflow inputs',
      `{ type: github-workflow, repo: o/r, workflow: d.yml, tokenFrom: GH, inputs: ${inputs(26)} }`,
      'deployTargets.t.inputs',
      /at most 25 inputs .*got 26/,
    ],
    [
      '11 client payload keys',
      `{ type: github-dispatch, repo: o/r, eventType: e, tokenFrom: GH, clientPayload: ${inputs(11)} }`,
      'deployTargets.t.clientPayload',
      /at most 10 top-level keys .*got 11/,
    ],
    [
      'a 101-character event type',
      `{ type: github-dispatch, repo: o/r, eventType: ${'e'.repeat(101)}, tokenFrom: GH }`,
      'deployTargets.t.eventType',
      /at most 100 characters/,
    ],
    [
      'an unknown variable in an input',
      '{ type: github-workflow, repo: o/r, workflow: d.yml, tokenFrom: GH, inputs: { image: "{{imag}}" } }',
      'deployTargets.t.inputs.image',
      /unknown template variable \{\{imag\}\}; known: \{\{repository\}\}/,
    ],
    [
      'an unknown variable deep in a client payload',
      '{ type: github-dispatch, repo: o/r, eventType: e, tokenFrom: GH, clientPayload: { meta: { list: [ok, "{{branch}}"] } } }',
      'deployTargets.t.clientPayload.meta.list[1]',
      /unknown template variable \{\{branch\}\}/,
    ],
    [
      'an unknown variable in an event type',
      '{ type: github-dispatch, repo: o/r, eventType: "deploy-{{ name }}", tokenFrom: GH }',
      'deployTargets.t.eventType',
      /\{\{name\}\}/,
    ],
    [
      'an unknown variable in a pipeline variable',
      '{ type: azure-pipelines, organization: c, project: p, pipelineId: 1, tokenFrom: T, variables: { img: "{{ref}}" } }',
      'deployTargets.t.variables.img',
      /\{\{ref\}\}/,
    ],
    [
      'a workflow path instead of a file name',
      '{ type: github-workflow, repo: o/r, workflow: .github/workflows/d.yml, tokenFrom: GH }',
      'deployTargets.t.workflow',
      /file name/,
    ],
    [
      'Azure Pipelines without auth',
      '{ type: azure-pipelines, organization: c, project: p, pipelineId: 1 }',
      'deployTargets.t.tokenFrom',
      /tokenFrom .* or auth: entra/,
    ],
    [
      'Azure Pipelines with Entra and a PAT',
      '{ type: azure-pipelines, organization: c, project: p, pipelineId: 1, auth: entra, tokenFrom: T }',
      'deployTargets.t.tokenFrom',
      /remove tokenFrom/,
    ],
    [
      'Argo CD with both action and sync',
      '{ type: argocd, server: https://a.example.com, application: web, action: sync, sync: true, tokenFrom: A }',
      'deployTargets.t.sync',
      /not both/,
    ],
    [
      'an Argo CD action that does not exist',
      '{ type: argocd, server: https://a.example.com, application: web, action: restart, tokenFrom: A }',
      'deployTargets.t.action',
      /./,
    ],
    [
      'a subscription that is not a GUID',
      '{ type: container-app, subscriptionId: my-sub, resourceGroup: rg, app: web }',
      'deployTargets.t.subscriptionId',
      /GUID/,
    ],
    [
      'a webhook with both url and urlFrom',
      '{ type: webhook, url: https://h.example.com, urlFrom: HOOK }',
      'deployTargets.t.url',
      /exactly one of url and urlFrom/,
    ],
    ['a webhook with no URL', '{ type: webhook }', 'deployTargets.t.url', /exactly one of url and urlFrom/],
    [
      'the same region twice in two spellings',
      '{ type: webhook, url: https://h.example.com, regions: [westeurope, West Europe] }',
      'deployTargets.t.regions[1]',
      /same region as regions\[0\]/,
    ],
    [
      'a region timeout that is not a duration',
      '{ type: webhook, url: https://h.example.com, regions: [westeurope], regionTimeout: soon }',
      'deployTargets.t.regionTimeout',
      /duration/,
    ],
  ])('rejects %s', (_name, yaml, path, message) => {
    expect(problems(`deployTargets:\n  t: ${yaml}\n`)).toContainEqual(
      expect.objectContaining({ path, message: expect.stringMatching(message) }),
    );
  });

  it('checks the length of a templated event type once rendered, and only its fixed text here', () => {
    expect(
      target(
        `{ type: github-dispatch, repo: o/r, eventType: "${'e'.repeat(95)}{{repository}}", tokenFrom: GH }`,
      ),
    ).toMatchObject({ type: 'github-dispatch' });
  });

  it('accepts exactly 25 inputs and 10 client payload keys', () => {
    expect(() =>
      parseConfig(`deployTargets:
  w: { type: github-workflow, repo: o/r, workflow: d.yml, tokenFrom: GH, inputs: ${inputs(25)} }
  d: { type: github-dispatch, repo: o/r, eventType: "${'e'.repeat(100)}", tokenFrom: GH, clientPayload: ${inputs(10)} }
`),
    ).not.toThrow();
  });
});

describe('rules[].deploy', () => {
  const base = `
gitops: { fleet: { url: https://github.com/contoso/fleet.git } }
deployTargets:
  web: { type: github-workflow, repo: o/r, workflow: d.yml, tokenFrom: GH }
  web-commit: { type: github-workflow, repo: o/r, workflow: d.yml, tokenFrom: GH, inputs: { sha: '{{commit}}' } }
`;

  it('reads the list form and the after-pin form into one shape', () => {
    const config = parseConfig(`${base}
rules:
  - match: {}
    deploy: [web]
  - match: {}
    pin: { repo: fleet }
    deploy: { targets: [web-commit], after: pin }
  - match: {}
`);
    expect(config.rules.map((rule) => rule.deploy)).toEqual([
      { targets: ['web'] },
      { targets: ['web-commit'], after: 'pin' },
      { targets: [] },
    ]);
  });

  it.each([
    [
      'after: pin without a pin',
      'deploy: { targets: [web], after: pin }',
      'rules[0].deploy.after',
      /after: pin needs a pin in this rule/,
    ],
    [
      'an unknown target in the object form',
      'pin: { repo: fleet }\n    deploy: { targets: [nowhere], after: pin }',
      'rules[0].deploy.targets[0]',
      /unknown deploy target "nowhere"; defined: web, web-commit/,
    ],
    [
      'an unknown target in the list form',
      'deploy: [web, nowhere]',
      'rules[0].deploy[1]',
      /unknown deploy target/,
    ],
    [
      'an after value other than pin',
      'pin: { repo: fleet }\n    deploy: { targets: [web], after: merge }',
      'rules[0].deploy.after',
      /expected "pin"/,
    ],
    [
      'a deploy that is neither form',
      'deploy: web',
      'rules[0].deploy',
      /a list of deploy targets, or \{ targets: \[...\], after: pin \}/,
    ],
    [
      '{{commit}} in a target that does not wait for the pin',
      'pin: { repo: fleet }\n    deploy: [web-commit]',
      'rules[0].deploy[0]',
      /uses \{\{commit\}\}, which only has a value with deploy: \{ targets: \[...\], after: pin \}/,
    ],
  ])('rejects %s', (_name, deploy, path, message) => {
    expect(problems(`${base}\nrules:\n  - match: {}\n    ${deploy}\n`)).toContainEqual(
      expect.objectContaining({ path, message: expect.stringMatching(message) }),
    );
  });
});
