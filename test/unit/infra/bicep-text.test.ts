import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { checkBicepFile, declarationsOf, tokenizeBicep } from '../../helpers/bicep';
import { repoRoot } from '../../helpers/fixtures';

const infra = join(repoRoot, 'infra');
const read = (path: string) => readFileSync(join(repoRoot, path), 'utf8');
const bicepFiles = readdirSync(infra).filter((file) => file.endsWith('.bicep'));

/**
 * Built-in role definitions infra may assign (shared/reference/teams-infra-security.md §4.1–4.2,
 * next.md §1.3). A GUID not listed here is a role nobody reviewed for least privilege.
 */
const reviewedRoles: Record<string, string> = {
  'b7e6dc6d-f1e8-4753-8033-0f276bb0955b': 'Storage Blob Data Owner',
  '974c5e8b-45b9-4653-ba55-5f855dd0fb88': 'Storage Queue Data Contributor',
  '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3': 'Storage Table Data Contributor',
  'ba92f5b4-2d11-453d-a403-e96b0029c9fe': 'Storage Blob Data Contributor',
  '3913510d-42f4-4e42-8a64-420c390055eb': 'Monitoring Metrics Publisher',
  '4633458b-17de-408a-b874-0445c86b69e6': 'Key Vault Secrets User',
  'b86a8fe4-44ce-4948-aee5-eccb2c155cd7': 'Key Vault Secrets Officer',
  '358470bc-b998-42bd-ab17-a7e34c199c0f': 'Container Apps Contributor',
  '7f951dda-4ed3-4680-a7ca-43fe172d538d': 'AcrPull',
  'c2f4ef07-c644-48eb-af81-4b1b4947fb11': 'AcrDelete',
  'bfdb9389-c9a5-478a-bb2f-ba9ca092c3c7': 'Container Registry Repository Catalog Lister',
  '2efddaa5-3f1f-4df3-97df-af3f13818f4c': 'Container Registry Repository Contributor',
};

describe('infra/*.bicep, checked as text (no Bicep compiler runs here)', () => {
  it('has the files azure.yaml and main.bicep name', () => {
    expect(bicepFiles).toEqual(expect.arrayContaining(['main.bicep', 'app.bicep', 'registry.bicep']));
  });

  it.each(bicepFiles)('%s: balanced, declared, used, modules wired', (file) => {
    expect(checkBicepFile(join(infra, file))).toEqual([]);
  });

  it('comments every role definition id with the role it is, from the reviewed list', () => {
    const problems: string[] = [];
    for (const file of bicepFiles) {
      read(join('infra', file))
        .split('\n')
        .forEach((line, index) => {
          for (const [guid] of line.matchAll(
            /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi,
          )) {
            const role = reviewedRoles[guid.toLowerCase()];
            const comment = /\/\/\s*(.+)$/.exec(line)?.[1] ?? '';
            if (!role) problems.push(`infra/${file}:${index + 1}: ${guid} is not a reviewed role`);
            else if (!comment.includes(role)) {
              problems.push(`infra/${file}:${index + 1}: ${guid} needs the comment // ${role}`);
            }
          }
        });
    }
    expect(problems).toEqual([]);
  });

  it('passes main.bicep every parameter it requires from the azd environment, and no unknown one', () => {
    const { params } = declarationsOf(tokenizeBicep(read('infra/main.bicep')).tokens);
    const file = JSON.parse(read('infra/main.parameters.json')) as {
      parameters: Record<string, { value: unknown }>;
    };
    const given = Object.keys(file.parameters);
    for (const name of given) expect([...params.keys()], `main.parameters.json sets ${name}`).toContain(name);
    for (const [name, param] of params) {
      if (!param.optional) expect(given, `main.bicep requires ${name}`).toContain(name);
    }
    // Every value is an azd substitution, so nothing secret is committed.
    for (const [name, { value }] of Object.entries(file.parameters)) {
      expect(String(value), name).toMatch(/^\$\{[A-Z_]+(=[^}]*)?\}$/);
    }
  });

  it('has azure.yaml point azd at main.bicep and at this app as a function', () => {
    const project = parse(read('infra/azure.yaml')) as {
      infra: { provider: string; path: string; module: string };
      services: Record<string, { project: string; language: string; host: string }>;
    };
    expect(project.infra.provider).toBe('bicep');
    expect(existsSync(join(infra, project.infra.path, `${project.infra.module}.bicep`))).toBe(true);
    const service = project.services.app;
    expect(service).toMatchObject({ host: 'function', language: 'ts' });
    expect(existsSync(join(infra, service?.project ?? '', 'host.json'))).toBe(true);
    // azd finds the app by this tag.
    expect(read('infra/app.bicep')).toContain("tags: union(tags, { 'azd-service-name': 'app' })");
  });
});

describe('the Bicep text check', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bicep-check-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const check = (text: string, module = '') => {
    if (module) writeFileSync(join(dir, 'child.bicep'), module);
    const path = join(dir, 'main.bicep');
    writeFileSync(path, text);
    return checkBicepFile(path);
  };
  const child = "param name string\nparam size int = 1\noutput id string = '${name}${size}'\n";

  it('accepts valid Bicep: interpolation, loops, lambdas, ternaries on several lines, modules', () => {
    const text = [
      "param names string = 'a,b'",
      "var list = filter(map(split(names, ','), n => trim(n)), n => !empty(n))",
      'var pick = empty(list)',
      '  ? []',
      "  : [{ name: 'x', value: '${first(list)}-${length(list)}' }]",
      "module c 'child.bicep' = [",
      '  for (item, i) in list: {',
      "    name: 'c${i}'",
      '    params: { name: item }',
      '  }',
      ']',
      'output ids array = [for i in range(0, length(list)): c[i].outputs.id]',
      'output picked array = pick',
    ].join('\n');
    expect(check(text, child)).toEqual([]);
  });

  it('names an unbalanced brace, an open string and an undeclared name', () => {
    expect(check("var a = { b: 'c'\n")).toEqual(
      expect.arrayContaining([expect.stringMatching(/"\{" is never closed/)]),
    );
    expect(check("var a = 'open\noutput o string = a\n")).toEqual(
      expect.arrayContaining([expect.stringMatching(/line 1: string not terminated/)]),
    );
    expect(check("param p string\noutput o string = '${q}'\n")).toEqual([
      expect.stringMatching(/line 2: q is not declared/),
      expect.stringMatching(/param p is never used/),
    ]);
  });

  it('names unknown functions, shadowed functions and stray top-level text', () => {
    expect(check("output o string = toLowr('A')\n")).toEqual([
      expect.stringMatching(/unknown function toLowr\(\)/),
    ]);
    expect(
      check("var subscription = 'x'\noutput o string = '${subscription}${subscription().id}'\n"),
    ).toEqual([expect.stringMatching(/subscription\(\) is shadowed by the symbol subscription/)]);
    expect(check('var a = 1\noutput o int = a\nb = 2\n')).toEqual(
      expect.arrayContaining([expect.stringMatching(/line 3: "b" does not start a declaration/)]),
    );
  });

  it('checks module params and outputs against the module file', () => {
    const call = (params: string, output = 'id') =>
      check(
        `module c 'child.bicep' = {\n  name: 'c'\n  params: {\n${params}\n  }\n}\noutput o string = c.outputs.${output}\n`,
        child,
      );
    expect(call("    name: 'x'")).toEqual([]);
    expect(call('    size: 2')).toEqual([
      expect.stringMatching(/does not pass name, which child.bicep requires/),
    ]);
    expect(call("    name: 'x'\n    colour: 'red'")).toEqual([
      expect.stringMatching(/passes colour, which child.bicep does not declare/),
    ]);
    expect(call("    name: 'x'", 'identifier')).toEqual([
      expect.stringMatching(/c.outputs.identifier is not an output of child.bicep/),
    ]);
    expect(check("module m 'missing.bicep' = {\n  name: 'm'\n}\n")).toEqual([
      expect.stringMatching(/points at missing.bicep, which does not exist/),
    ]);
  });

  it('wants an API version on every resource type', () => {
    expect(check("resource r 'Microsoft.Storage/storageAccounts' existing = {\n  name: 'x'\n}\n")).toEqual([
      expect.stringMatching(/lacks a provider\/type@api-version/),
    ]);
  });
});
