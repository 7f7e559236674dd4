import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../shared/config/load-config';
import { ConfigError } from '../../../shared/domain/errors';

function problems(yaml: string) {
  try {
    parseConfig(yaml);
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

const prod = '{ name: prod, type: acr, loginServer: myreg.azurecr.io }';

describe('retention config', () => {
  it('reads the issue 11 example with durations in milliseconds', () => {
    const config = parseConfig(String.raw`
retention:
  schedule: "0 0 3 * * *"
  dryRun: true
  concurrency: 8
  registries:
    - { name: prod, type: acr, loginServer: myreg.azurecr.io }
    - { name: lab, type: oci, url: http://127.0.0.1:5000, usernameFrom: LAB_USER, passwordFrom: LAB_PASS }
  policies:
    - registries: [prod]
      repositories: ["team-a/**"]
      keep:
        newest: 10
        youngerThan: 14d
        tags: ["latest", "re:^v\\d+\\.\\d+\\.\\d+$"]
      untagged: { olderThan: 7d }
      protectPinned: true
`);
    expect(config.retention).toEqual({
      schedule: '0 0 3 * * *',
      dryRun: true,
      concurrency: 8,
      debounce: 120_000,
      registries: [
        { name: 'prod', type: 'acr', loginServer: 'myreg.azurecr.io' },
        {
          name: 'lab',
          type: 'oci',
          url: 'http://127.0.0.1:5000',
          usernameFrom: 'LAB_USER',
          passwordFrom: 'LAB_PASS',
        },
      ],
      policies: [
        {
          registries: ['prod'],
          repositories: ['team-a/**'],
          keep: { newest: 10, youngerThan: 1_209_600_000, tags: ['latest', String.raw`re:^v\d+\.\d+\.\d+$`] },
          untagged: { olderThan: 604_800_000 },
          protectPinned: true,
          onPush: false,
        },
      ],
    });
  });

  it('fills in the defaults of a minimal section', () => {
    const config = parseConfig(`retention:\n  policies: [{ repositories: ["**"], keep: {} }]\n`);
    expect(config.retention).toEqual({
      schedule: '0 0 3 * * *',
      dryRun: true,
      concurrency: 8,
      debounce: 120_000,
      registries: [],
      policies: [{ repositories: ['**'], keep: { tags: [] }, protectPinned: true, onPush: false }],
    });
  });

  it.each<[string, string, object]>([
    [
      'a bearer token for an OCI registry',
      '{ name: lab, type: oci, url: "https://r.example.com", tokenFrom: T }',
      { name: 'lab', type: 'oci', url: 'https://r.example.com', tokenFrom: 'T' },
    ],
    [
      'an anonymous OCI registry',
      '{ name: lab, type: oci, url: "http://127.0.0.1:5000" }',
      { name: 'lab', type: 'oci', url: 'http://127.0.0.1:5000' },
    ],
    [
      'an ACR login server with a port',
      '{ name: local, type: acr, loginServer: "localhost:8443" }',
      { name: 'local', type: 'acr', loginServer: 'localhost:8443' },
    ],
  ])('accepts %s', (_name, registry, expected) => {
    const config = parseConfig(`retention:\n  registries: [${registry}]\n  debounce: 30s\n`);
    expect(config.retention?.registries).toEqual([expected]);
    expect(config.retention?.debounce).toBe(30_000);
  });

  it.each<[string, string, string, RegExp, number]>([
    ['a 5-field schedule', 'schedule: "0 3 * * *"', 'retention.schedule', /six NCRONTAB fields/, 2],
    ['concurrency above 32', 'concurrency: 64', 'retention.concurrency', /<=32/, 2],
    ['concurrency of 0', 'concurrency: 0', 'retention.concurrency', />=1/, 2],
    ['a debounce in words', 'debounce: 2 minutes', 'retention.debounce', /duration like 30s/, 2],
    ['a debounce without a unit', 'debounce: 120', 'retention.debounce', /expected string/, 2],
    ['an unknown key', 'dryrun: false', 'retention.dryrun', /unknown key "dryrun"/, 2],
    [
      'a login server written as a URL',
      'registries: [{ name: prod, type: acr, loginServer: "https://myreg.azurecr.io" }]',
      'retention.registries[0].loginServer',
      /login server like myreg\.azurecr\.io/,
      2,
    ],
    [
      'an OCI registry with a login server instead of a URL',
      'registries: [{ name: lab, type: oci, loginServer: "lab:5000" }]',
      'retention.registries[0].loginServer',
      /unknown key "loginServer"/,
      2,
    ],
    [
      'an OCI registry whose URL is not http(s)',
      'registries: [{ name: lab, type: oci, url: "ftp://lab" }]',
      'retention.registries[0].url',
      /http\(s\) URL/,
      2,
    ],
    [
      'an unknown registry type',
      'registries: [{ name: hub, type: docker, url: "https://x" }]',
      'retention.registries[0].type',
      /type: acr \(with loginServer\) or type: oci \(with url\)/,
      2,
    ],
    [
      'a username without a password',
      'registries: [{ name: lab, type: oci, url: "https://x", usernameFrom: U }]',
      'retention.registries[0].passwordFrom',
      /usernameFrom needs passwordFrom/,
      2,
    ],
    [
      'a token next to a password',
      'registries: [{ name: lab, type: oci, url: "https://x", usernameFrom: U, passwordFrom: P, tokenFrom: T }]',
      'retention.registries[0].tokenFrom',
      /either tokenFrom .* or usernameFrom\/passwordFrom/,
      2,
    ],
    [
      'a secret pasted into passwordFrom',
      'registries: [{ name: lab, type: oci, url: "https://x", usernameFrom: U, passwordFrom: "hunter2!" }]',
      'retention.registries[0].passwordFrom',
      /must name an app setting/,
      2,
    ],
    [
      'a duplicate registry name',
      `registries:\n    - ${prod}\n    - { name: prod, type: oci, url: "https://x" }`,
      'retention.registries[1].name',
      /duplicate registry name "prod"/,
      4,
    ],
    [
      'a policy naming an unknown registry',
      `registries: [${prod}]\n  policies: [{ registries: [prod, lab], repositories: ["**"], keep: {} }]`,
      'retention.policies[0].registries[1]',
      /unknown retention registry "lab"; defined: prod/,
      3,
    ],
    [
      'a policy without repositories',
      'policies: [{ repositories: [], keep: {} }]',
      'retention.policies[0].repositories',
      />=1 items/,
      2,
    ],
    [
      'a policy without keep',
      'policies: [{ repositories: ["**"] }]',
      'retention.policies[0].keep',
      /required: say which tags to keep/,
      2,
    ],
    [
      'the old name younger',
      'policies:\n    - repositories: ["**"]\n      keep: { younger: 30d }',
      'retention.policies[0].keep.younger',
      /unknown key "younger"/,
      4,
    ],
    [
      'a youngerThan that is not a duration',
      'policies:\n    - repositories: ["**"]\n      keep:\n        youngerThan: 2 weeks',
      'retention.policies[0].keep.youngerThan',
      /duration like 30s/,
      5,
    ],
    [
      'newest of 0',
      'policies: [{ repositories: ["**"], keep: { newest: 0 } }]',
      'retention.policies[0].keep.newest',
      />0/,
      2,
    ],
    [
      'a bad tag matcher',
      'policies: [{ repositories: ["**"], keep: { tags: ["semver:>=banana"] } }]',
      'retention.policies[0].keep.tags[0]',
      /invalid semver range/,
      2,
    ],
    [
      'the old untagged.delete',
      'policies: [{ repositories: ["**"], keep: {}, untagged: { delete: true, olderThan: 7d } }]',
      'retention.policies[0].untagged.delete',
      /unknown key "delete"/,
      2,
    ],
    [
      'untagged without olderThan',
      'policies: [{ repositories: ["**"], keep: {}, untagged: {} }]',
      'retention.policies[0].untagged.olderThan',
      /expected string/,
      2,
    ],
    [
      'a non-boolean onPush',
      'policies: [{ repositories: ["**"], keep: {}, onPush: sometimes }]',
      'retention.policies[0].onPush',
      /expected boolean/,
      2,
    ],
  ])('rejects %s, naming the path and line', (_name, yaml, path, message, line) => {
    expect(problems(`retention:\n  ${yaml}\n`)).toContainEqual({
      path,
      message: expect.stringMatching(message),
      line,
    });
  });
});

describe('retention.schedule', () => {
  it('is checked the way the timer reads it', () => {
    expect(problems('retention: { schedule: "0 0 25 * * *" }')).toEqual([
      expect.objectContaining({ path: 'retention.schedule', message: expect.stringContaining('hour') }),
    ]);
  });
});
