import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './fixtures';

/** `--functions` arguments loading only the ingress functions: no consumer drains the queues under test. */
export const ingressFunctionArgs = ['acr-webhook', 'acr-event-grid', 'health', 'app-start'].flatMap(
  (name) => ['--functions', join(repoRoot, 'dist', 'functions', `${name}.js`)],
);

/** A config whose one rule matches every repository with a pin, a deployment and a notification. */
export function writeCatchAllConfig(): string {
  const dir = mkdtempSync(join(tmpdir(), 'e2e-'));
  writeFileSync(
    join(dir, 'autopilot.yaml'),
    `
gitops: { fleet: { url: https://github.com/contoso/fleet.git } }
teams: { platform: { urlFrom: TEAMS_PLATFORM } }
deployTargets:
  prod: { type: github-workflow, repo: contoso/app, workflow: deploy.yml, tokenFrom: GH_TOKEN }
rules:
  - match: { repository: '**' }
    pin: { repo: fleet }
    deploy: [prod]
    notify: [platform]
`,
  );
  return join(dir, 'autopilot.yaml');
}
