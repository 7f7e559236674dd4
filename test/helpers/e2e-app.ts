import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './fixtures';

/** `--functions` arguments for the built functions with these file names (dist/functions/<name>.js). */
export function functionArgs(names: readonly string[]): string[] {
  return names.flatMap((name) => ['--functions', join(repoRoot, 'dist', 'functions', `${name}.js`)]);
}

/**
 * Ingress and fan-out only: events reach the action queues, and no action consumer drains them, so
 * tests can look at what ingress produced.
 */
export const ingressFunctionArgs = functionArgs([
  'acr-webhook',
  'acr-event-grid',
  'health',
  'app-start',
  'fan-out-actions',
]);

/** Ingress and every action consumer: the whole pipeline from a push to its reactions. */
export const pipelineFunctionArgs = functionArgs([
  'acr-webhook',
  'acr-event-grid',
  'app-start',
  'fan-out-actions',
  'pin-request',
  'deploy-request',
  'notify-teams',
]);

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
