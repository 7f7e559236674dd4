import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createQueueServiceClient } from '../adapters/storage-clients';
import { readStorageSettings, storageSetting } from '../config/app-settings';
import type { AzuriteHandle } from './azurite';
import { startAzurite } from './azurite';
import { expandGlob } from './expand-glob';
import { loadFunctions, type Registration } from './function-registry';
import { createHostLog, createLineWriter, type HostLog, type HostLogLevel } from './host-log';
import { readLocalSettings } from '../config/local-settings';
import { readHostJson, readRawHostJson } from './host-settings';
import { processListeningOn } from './local-processes';
import { unemulatedFeatures } from './unemulated-features';
import { eventGridKeySetting } from './event-grid-endpoint';
import { createHttpHost } from './http-server';
import { queueLeaseSetting, startQueueListener, type QueueListener } from './queue-listener';
import { startTimer, type TimerHandle } from './timers';

export interface LocalHostOptions {
  /** Folder with host.json, local.settings.json and package.json. */
  appRoot: string;
  /** 0 = any free port; default local.settings.json Host.LocalHttpPort, else 7071. */
  port?: number;
  /** Function modules (paths or globs); default package.json `main`. */
  functions?: string[];
  /** Start Azurite when AzureWebJobsStorage is UseDevelopmentStorage=true (default true). */
  azurite?: boolean;
  azuriteInMemory?: boolean;
  logLevel?: HostLogLevel;
  write?: (line: string) => void;
}

export interface LocalHost {
  url: string;
  port: number;
  azurite: AzuriteHandle['ports'] | undefined;
  functions: string[];
  stop(): Promise<void>;
}

/**
 * Runs the app's registered functions without Azure Functions Core Tools (which cannot be installed
 * here): HTTP and Event Grid triggers over node:http, queue triggers over Azure Storage, timers.
 * Settings come from local.settings.json like Core Tools; variables already in the environment win.
 */
export async function startLocalHost(options: LocalHostOptions): Promise<LocalHost> {
  const lines = options.write ? { write: options.write, flush() {} } : createLineWriter(process.stdout);
  const log = createHostLog({ minLevel: options.logLevel ?? 'information', write: lines.write });
  const hostJson = readHostJson(options.appRoot);
  const localSettings = readLocalSettings(options.appRoot);
  for (const [key, value] of Object.entries(localSettings.values)) process.env[key] ??= value;
  process.env.AZURE_FUNCTIONS_ENVIRONMENT ??= 'Development';
  if (localSettings.source) log('information', 'host', `settings from ${localSettings.source}`);
  else log('warning', 'host', 'no local.settings.json: using the process environment only');

  let azurite: AzuriteHandle | undefined;
  const storage = process.env[storageSetting] ?? '';
  if (/^UseDevelopmentStorage=true;?$/i.test(storage.trim()) && options.azurite !== false) {
    azurite = await startAzurite({
      inMemory: options.azuriteInMemory ?? false,
      location: join(options.appRoot, '.azurite'),
      preferDefaultPorts: !options.azuriteInMemory,
    });
    process.env[storageSetting] = azurite.connectionString;
    log(
      'information',
      'host',
      azurite.reused
        ? `reusing Azurite (pid ${azurite.pid}) left running by an earlier run over the same folder ` +
            `(queue port ${azurite.ports.queue}, table port ${azurite.ports.table}); it stops with this host`
        : `Azurite started (queue port ${azurite.ports.queue}, table port ${azurite.ports.table})`,
    );
  }

  const stops: (() => Promise<void> | void)[] = [];
  try {
    const modules = (options.functions ?? [mainOf(options.appRoot)]).flatMap((pattern) =>
      expandGlob(pattern, options.appRoot),
    );
    if (modules.length === 0) throw new Error('no function modules found; run npm run build first');
    const loaded = loadFunctions(modules);
    const { registrations, hooks } = loaded;
    for (const note of unemulatedFeatures(loaded, readRawHostJson(options.appRoot))) {
      log('warning', 'host', `not emulated: ${note}`);
    }
    for (const hook of hooks.get('appStart') ?? []) {
      await hook({ hookData: {}, appHookData: {}, functionAppDirectory: options.appRoot });
    }

    const timers = new Map<string, TimerHandle>();
    const server = createHttpHost({
      registrations,
      routePrefix: hostJson.routePrefix,
      log,
      eventGridKey: process.env[eventGridKeySetting]?.trim() || undefined,
      runFunction: async (name) => {
        const timer = timers.get(name);
        if (!timer) throw new Error(`${name} is not a timer function`);
        await timer.runNow();
      },
    });
    const requestedPort = options.port ?? localSettings.port ?? 7071;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) =>
        reject(error.code === 'EADDRINUSE' ? portInUse(requestedPort) : error),
      );
      server.listen(requestedPort, '127.0.0.1', resolve);
    });
    stops.push(
      () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    );
    const port = (server.address() as AddressInfo).port;
    const url = `http://127.0.0.1:${port}`;

    const listeners: QueueListener[] = [];
    const leaseSeconds = leaseSetting(process.env[queueLeaseSetting]);
    for (const registration of registrations) {
      describe(registration, url, hostJson.routePrefix, log);
      if (registration.trigger.type === 'queueTrigger') {
        const connection = String(registration.trigger.connection ?? storageSetting);
        const settings = readStorageSettings(process.env, connection);
        if (!settings) throw new Error(`${registration.name}: app setting ${connection} is not set`);
        listeners.push(
          startQueueListener({
            registration,
            service: createQueueServiceClient(settings),
            settings: hostJson.queues,
            log,
            ...(leaseSeconds === undefined ? {} : { leaseSeconds }),
          }),
        );
      } else if (registration.trigger.type === 'timerTrigger') {
        timers.set(registration.name, startTimer(registration, process.env, log));
      }
    }
    stops.push(() => Promise.all(listeners.map((listener) => listener.stop())).then(() => undefined));
    stops.push(() => timers.forEach((timer) => timer.stop()));
    lines.flush(); // the startup lines before the caller's own (`ready …`)

    return {
      url,
      port,
      azurite: azurite?.ports,
      functions: registrations.map((registration) => registration.name),
      stop: async () => {
        for (const stop of stops.reverse()) await stop();
        await azurite?.stop();
      },
    };
  } catch (error) {
    for (const stop of stops.reverse()) await stop();
    await azurite?.stop();
    throw error;
  }
}

/** EADDRINUSE, said with who holds the port and what to do. */
function portInUse(port: number): Error {
  const holder = processListeningOn(port);
  const who = holder
    ? ` by ${/local-host[/\\]main\.js|func(\s|$)/.test(holder.command) ? 'another local host' : 'another process'} (pid ${holder.pid}: ${holder.command.slice(0, 160)})`
    : '';
  return new Error(
    `port ${port} is already in use${who}; stop it${holder ? ` (kill ${holder.pid})` : ''}, or run on another port ` +
      '(npm start -- --port 7072, or Host.LocalHttpPort in local.settings.json)',
  );
}

function mainOf(appRoot: string): string {
  const pkg = JSON.parse(readFileSync(join(appRoot, 'package.json'), 'utf8')) as { main?: string };
  if (!pkg.main) throw new Error('package.json has no "main" naming the function modules');
  return pkg.main;
}

function describe(registration: Registration, url: string, routePrefix: string, log: HostLog) {
  const { trigger, name } = registration;
  const line: Record<string, () => string> = {
    httpTrigger: () =>
      `[${((trigger.methods as string[] | undefined) ?? ['GET', 'POST']).join(',')}] ${url}/${routePrefix ? `${routePrefix}/` : ''}${String(trigger.route ?? name)}`,
    eventGridTrigger: () => `eventGrid ${url}/runtime/webhooks/eventgrid?functionName=${name}`,
    queueTrigger: () => `queue ${String(trigger.queueName)}`,
    timerTrigger: () => `timer ${String(trigger.schedule)}`,
  };
  log('information', 'host', `${name}: ${line[trigger.type]?.() ?? trigger.type}`);
}

/** `AUTOPILOT_LOCAL_QUEUE_LEASE` in whole seconds (1 to 3600), or undefined for the default. */
function leaseSetting(value: string | undefined): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  const seconds = Number(text);
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > 3600) {
    throw new Error(
      `app setting ${queueLeaseSetting} is "${text}": give whole seconds from 1 to 3600 (default 300), or leave it unset`,
    );
  }
  return seconds;
}
