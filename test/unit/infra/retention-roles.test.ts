import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acrRoleHint } from '../../../shared/adapters/registry/acr-registry-backend';
import { repoRoot } from '../../helpers/fixtures';

const read = (path: string) => readFileSync(join(repoRoot, path), 'utf8');

/** Bicep cannot be compiled here; these tie the retention roles infra assigns to what the code says. */
describe('infra/ retention roles', () => {
  const main = read('infra/main.bicep');
  const roles = read('infra/retention-roles.bicep');

  it('assigns registry roles only when retention is enabled, to the app identity, on the registry', () => {
    expect(main).toContain("module retentionRoles 'retention-roles.bicep' = if (retentionEnabled) {");
    expect(main).toContain('param retentionEnabled bool = false');
    expect(main).toContain('principalId: app.outputs.identityPrincipalId');
    expect(roles).toContain('scope: registry');
    expect(read('infra/main.parameters.json')).toContain(
      '"retentionEnabled": { "value": "${RETENTION_ENABLED=false}" }',
    );
  });

  it('assigns the roles the refusal message names: AcrPull + AcrDelete, or the ABAC pair', () => {
    for (const [guid, name] of [
      ['7f951dda-4ed3-4680-a7ca-43fe172d538d', 'AcrPull'],
      ['c2f4ef07-c644-48eb-af81-4b1b4947fb11', 'AcrDelete'],
      ['bfdb9389-c9a5-478a-bb2f-ba9ca092c3c7', 'Container Registry Repository Catalog Lister'],
      ['2efddaa5-3f1f-4df3-97df-af3f13818f4c', 'Container Registry Repository Contributor'],
    ] as const) {
      expect(roles).toContain(`'${guid}' // ${name}`);
      expect(acrRoleHint).toContain(name);
    }
  });

  it('registers the three retention functions under the names README and the host use', () => {
    expect(read('functions/retention-timer.ts')).toContain("app.timer('retentionTimer'");
    expect(read('functions/retention-run.ts')).toContain("route: 'retention/run'");
    expect(read('functions/retention-request.ts')).toContain("app.storageQueue('retentionRequest'");
  });
});
