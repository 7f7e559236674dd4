/**
 * The one place that reads the process environment (app settings in Azure, local.settings.json
 * Values locally). Everything else receives an `AppSettings` or a plain env record.
 */
export type Env = Readonly<Record<string, string | undefined>>;

/** Azurite's well-known development account (public, documented in Azurite's README). */
export const azuriteAccount = {
  name: 'devstoreaccount1',
  key: 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==',
};

export function azuriteConnectionString(
  host = '127.0.0.1',
  ports = { blob: 10000, queue: 10001, table: 10002 },
) {
  const base = (port: number) => `http://${host}:${port}/${azuriteAccount.name}`;
  return (
    `DefaultEndpointsProtocol=http;AccountName=${azuriteAccount.name};AccountKey=${azuriteAccount.key};` +
    `BlobEndpoint=${base(ports.blob)};QueueEndpoint=${base(ports.queue)};TableEndpoint=${base(ports.table)};`
  );
}

/** How the app reaches Azure Storage: a connection string, or identity-based service URIs. */
export type StorageSettings =
  | { kind: 'connection-string'; connectionString: string }
  | { kind: 'identity'; queueServiceUri: string; tableServiceUri: string; clientId?: string };

export interface AppSettings {
  configPath: string;
  /** Development = local (Core Tools or the built-in host): a missing config file means "no rules". */
  development: boolean;
  /** Accept http://127.0.0.1 Teams URLs (a fake Teams server). Development only: never in Azure. */
  allowInsecureLoopback: boolean;
  /** Accepted values of the ACR webhook auth header: current and secondary (for rotation). */
  webhookSecrets: string[];
  storage: StorageSettings | undefined;
  /**
   * `APPLICATIONINSIGHTS_CONNECTION_STRING`: when set, counters, the ingress latency histogram and the
   * decision log lines (with customDimensions) go to Application Insights through OpenTelemetry.
   */
  applicationInsightsConnectionString: string | undefined;
  /** Raw lookup for app settings the config names (`tokenFrom: GITOPS_TOKEN`). */
  env: Env;
}

export const storageSetting = 'AzureWebJobsStorage';

/**
 * Every app setting the app, the Functions host (`host`) or the Azure SDK (`sdk`) reads, and where it
 * is set: `azure` (infra/app.bicep), `local` (local.settings.example.json; never set in Azure), `both`,
 * or `readme` (an alternative form only README documents). README's "App settings" table lists them
 * all; the settings autopilot.yaml names (`tokenFrom: GITOPS_TOKEN`) are the user's and come on top.
 * test/unit/infra/settings-parity.test.ts keeps code, infra, example and README in step.
 */
export const knownAppSettings = {
  [storageSetting]: { where: 'local', readBy: 'app' },
  AzureWebJobsStorage__queueServiceUri: { where: 'azure', readBy: 'app' },
  AzureWebJobsStorage__tableServiceUri: { where: 'azure', readBy: 'app' },
  AzureWebJobsStorage__clientId: { where: 'azure', readBy: 'app' },
  AzureWebJobsStorage__accountName: { where: 'readme', readBy: 'app' },
  AzureWebJobsStorage__blobServiceUri: { where: 'azure', readBy: 'host' },
  AzureWebJobsStorage__credential: { where: 'azure', readBy: 'host' },
  AUTOPILOT_CONFIG: { where: 'both', readBy: 'app' },
  ACR_WEBHOOK_SECRET: { where: 'both', readBy: 'app' },
  ACR_WEBHOOK_SECRET_SECONDARY: { where: 'both', readBy: 'app' },
  AZURE_FUNCTIONS_ENVIRONMENT: { where: 'local', readBy: 'app' },
  AUTOPILOT_ALLOW_INSECURE_LOOPBACK: { where: 'local', readBy: 'app' },
  AUTOPILOT_LOCAL_EVENTGRID_KEY: { where: 'local', readBy: 'app' },
  /** Read by the local host only: how long a message being handled stays invisible. */
  AUTOPILOT_LOCAL_QUEUE_LEASE: { where: 'local', readBy: 'app' },
  /** The retention schedule's zone; Flex Consumption runs the host's own timers in UTC regardless. */
  WEBSITE_TIME_ZONE: { where: 'both', readBy: 'app' },
  /** Flex Consumption rejects it: the runtime is part of the app's config there. */
  FUNCTIONS_WORKER_RUNTIME: { where: 'local', readBy: 'host' },
  AZURE_CLIENT_ID: { where: 'azure', readBy: 'sdk' },
  APPLICATIONINSIGHTS_CONNECTION_STRING: { where: 'both', readBy: 'app' },
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: { where: 'azure', readBy: 'host' },
} as const satisfies Record<
  string,
  { where: 'azure' | 'local' | 'both' | 'readme'; readBy: 'app' | 'host' | 'sdk' }
>;
export const applicationInsightsSetting = 'APPLICATIONINSIGHTS_CONNECTION_STRING';

export function readAppSettings(env: Env = process.env): AppSettings {
  const configured = env.AUTOPILOT_CONFIG?.trim();
  const development = (env.AZURE_FUNCTIONS_ENVIRONMENT ?? '').toLowerCase() === 'development';
  return {
    configPath: configured || 'autopilot.yaml',
    development,
    allowInsecureLoopback:
      development && env.AUTOPILOT_ALLOW_INSECURE_LOOPBACK?.trim().toLowerCase() === 'true',
    webhookSecrets: [env.ACR_WEBHOOK_SECRET, env.ACR_WEBHOOK_SECRET_SECONDARY].filter(
      (value): value is string => typeof value === 'string' && value.length > 0,
    ),
    storage: readStorageSettings(env, storageSetting),
    applicationInsightsConnectionString: env.APPLICATIONINSIGHTS_CONNECTION_STRING?.trim() || undefined,
    env,
  };
}

/** Reads a Functions storage connection by name, connection string or identity-based (`<name>__queueServiceUri`). */
export function readStorageSettings(env: Env, connection: string): StorageSettings | undefined {
  const value = env[connection]?.trim();
  if (value) {
    if (/^UseDevelopmentStorage=true;?$/i.test(value)) {
      return { kind: 'connection-string', connectionString: azuriteConnectionString() };
    }
    return { kind: 'connection-string', connectionString: value };
  }
  const account = env[`${connection}__accountName`];
  const queueServiceUri =
    env[`${connection}__queueServiceUri`] ??
    (account ? `https://${account}.queue.core.windows.net` : undefined);
  const tableServiceUri =
    env[`${connection}__tableServiceUri`] ??
    (account ? `https://${account}.table.core.windows.net` : undefined);
  if (!queueServiceUri || !tableServiceUri) return undefined;
  const clientId = env[`${connection}__clientId`];
  return { kind: 'identity', queueServiceUri, tableServiceUri, ...(clientId ? { clientId } : {}) };
}
