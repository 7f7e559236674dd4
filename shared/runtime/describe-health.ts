import type { Runtime } from './composition-root';

/** What `GET /api/health` reports. No secret and no setting value, only names and counts. */
export function describeHealth(runtime: Runtime) {
  const { config, path, warnings, settingProblems } = runtime.loaded;
  return {
    status: 'ok',
    config: {
      path: path ?? null,
      rules: config.rules.length,
      gitopsRepos: Object.keys(config.gitops).length,
      teamsChannels: Object.keys(config.teams).length,
      deployTargets: Object.keys(config.deployTargets).length,
      retention: config.retention
        ? { dryRun: config.retention.dryRun, schedule: config.retention.schedule }
        : null,
    },
    webhookSecrets: runtime.settings.webhookSecrets.length,
    warnings: [...settingProblems, ...warnings].map(
      (warning) => `${warning.path ? `${warning.path}: ` : ''}${warning.message}`,
    ),
  };
}
