import { resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Command, Option } from 'commander';
import { readAppSettings } from '../config/app-settings';
import { createAzureAccessTokens, type AccessTokens } from '../adapters/deploy/access-tokens';
import { createDeployTriggers } from '../adapters/deploy/deploy-triggers';
import { createOutboundClient } from '../adapters/http/outbound-client';
import type { DeployTarget } from '../domain/config/deploy-targets-schema';
import { outboundHosts } from '../domain/config/outbound-hosts';
import { mergeReports } from '../domain/deploy/deploy-image';
import type { DeployHttpRequest } from '../domain/deploy/deploy-http-request';
import type { DeployReport } from '../domain/deploy/deploy-notifications';
import type { DeployTrigger } from '../domain/deploy/deploy-ports';
import { previewDeployRequest, type DeployPreview } from '../domain/deploy/preview-deploy-request';
import { ConfigError, DomainError, formatIssues } from '../domain/errors';
import { describeImage, type ImageEvent } from '../domain/events/image-event';
import { parsePayload } from '../domain/events/parse-payload';
import { parseContextFor } from '../runtime/parse-context';
import { exitCodes, UsageError, type CliIo } from './cli-io';
import { configOption, example, jsonOption, requiredOption, type ExitWith } from './command-kit';
import { loadCliConfig } from './load-cli-config';
import { readEventFile } from './simulate-command';

/** The parsed options of `deploy` (the core takes these, whoever parsed them). */
export interface DeployOptions {
  target: string;
  /** A webhook body or an Event Grid delivery, as a path. */
  event: string;
  config?: string | undefined;
  dryRun: boolean;
  json: boolean;
}

/** What the command talks to; tests pass a token source and fast sleeps. */
export interface DeployCommandDeps {
  tokens: AccessTokens;
  now: () => Date;
  sleep: (ms: number) => Promise<void>;
}

export function deployCommand(io: CliIo, exit: ExitWith): Command {
  return new Command('deploy')
    .description('trigger one deploy target for the push in an event file now, as deployRequest would')
    .addOption(requiredOption('--target <name>', 'a key of deployTargets in autopilot.yaml'))
    .addOption(requiredOption('--event <file>', 'a webhook body or an Event Grid delivery holding one push'))
    .addOption(configOption())
    .addOption(new Option('--dry-run', 'print the exact request (secrets redacted) and send nothing'))
    .addOption(jsonOption('{ "target", "request" } with --dry-run, else { "target", "outcome", … }'))
    .addHelpText('after', example('deploy --target web --event push.json --dry-run'))
    .action(async (options: Omit<DeployOptions, 'dryRun' | 'json'> & { dryRun?: boolean; json?: boolean }) =>
      exit(await runDeploy({ ...options, dryRun: options.dryRun === true, json: options.json === true }, io)),
    );
}

/**
 * `acr-autopilot deploy`: triggers one configured target for the push in the file now, exactly as the
 * deployRequest function would (same request, auth, follow-up), but without the replication gate and
 * without the once-per-event record: a manual trigger always sends. `dryRun` prints the request
 * instead, secrets redacted. Exit 0 triggered (or printed), 1 the event or the target refused, 2 usage
 * or configuration error.
 */
export async function runDeploy(
  options: DeployOptions,
  io: CliIo,
  deps: Partial<DeployCommandDeps> = {},
): Promise<number> {
  const { config } = await loadCliConfig(io, options.config, { required: true });
  const targets = config.deployTargets;
  const target = Object.hasOwn(targets, options.target) ? targets[options.target] : undefined;
  if (!target) {
    const defined = Object.keys(targets);
    throw new UsageError(
      `--target ${options.target}: no such deploy target (${defined.length ? `defined: ${defined.join(', ')}` : 'the config defines none'})`,
    );
  }
  const event = pushIn(await readEventFile(resolve(io.cwd, options.event)), parseContextFor(config), io);
  if (typeof event === 'number') return event;
  const input = { target: options.target, event };
  const now = deps.now ?? (() => new Date());
  const setting = (name: string) => io.env[name];

  if (options.dryRun) {
    const preview = previewDeployRequest(target, input, { now: now(), setting });
    io.stdout(
      options.json
        ? `${JSON.stringify({ target: options.target, ...preview }, null, 2)}\n`
        : showPreview(preview),
    );
    return exitCodes.ok;
  }

  const settings = readAppSettings(io.env);
  const triggers = createDeployTriggers({
    http: createOutboundClient({
      allowedHosts: outboundHosts(config),
      allowInsecureLoopback: settings.allowInsecureLoopback,
    }),
    setting,
    tokens: deps.tokens ?? createAzureAccessTokens(),
    clock: now,
    sleep: deps.sleep ?? ((ms) => delay(ms)),
    log: { debug: () => undefined, info: () => undefined, warn: (message) => io.stderr(`${message}\n`) },
  });
  let report: DeployReport;
  try {
    const trigger: DeployTrigger = triggers[target.type] as DeployTrigger;
    const accepted = await trigger.trigger(target, input);
    report = mergeReports(accepted.report, accepted.follow ? await accepted.follow() : {});
  } catch (error) {
    if (!(error instanceof DomainError) || error instanceof ConfigError) throw error;
    if (options.json) {
      io.stdout(
        `${JSON.stringify({ target: options.target, outcome: 'failed', error: error.message, retryable: error.retryable }, null, 2)}\n`,
      );
    } else io.stderr(`deploy to "${options.target}" failed: ${error.message}\n`);
    return exitCodes.problems;
  }
  if (options.json) {
    io.stdout(
      `${JSON.stringify({ target: options.target, outcome: 'deployed', targetType: target.type, ...report }, null, 2)}\n`,
    );
  } else io.stdout(describeOutcome(options.target, target, event, report));
  return exitCodes.ok;
}

/** The one push in the file, or the exit code after saying why there is none. */
function pushIn(body: unknown, ctx: ReturnType<typeof parseContextFor>, io: CliIo): ImageEvent | number {
  const outcomes = parsePayload(body, ctx);
  const accepted = outcomes.flatMap((outcome) => (outcome.kind === 'accepted' ? [outcome.event] : []));
  const pushes = accepted.filter((event) => event.action === 'push' || event.action === 'chart_push');
  if (pushes.length === 1 && pushes[0]) return pushes[0];
  if (pushes.length > 1) {
    io.stderr(`the event file holds ${pushes.length} pushes; put the one to deploy in a file of its own\n`);
    return exitCodes.problems;
  }
  const reasons = outcomes.map((outcome) =>
    outcome.kind === 'invalid'
      ? `invalid: ${formatIssues(outcome.issues).replace(/\n/g, '; ')}`
      : outcome.kind === 'accepted'
        ? `${outcome.event.action} events do not trigger deployments`
        : outcome.kind === 'ignored'
          ? `ignored: ${outcome.reason}`
          : 'an Event Grid subscription validation event',
  );
  io.stderr(`the event file holds no push to deploy (${reasons.join('; ')})\n`);
  return exitCodes.problems;
}

function showPreview(preview: DeployPreview): string {
  const show = (request: Omit<DeployHttpRequest, 'body'>, body: string | undefined) =>
    [
      `${request.method} ${request.url}`,
      ...Object.entries(request.headers).map(([name, value]) => `${name}: ${value}`),
      ...(body === undefined ? [] : ['', body]),
    ].join('\n');
  const parts = [show(preview.request, preview.request.body)];
  if (preview.then) parts.push(`then ${show(preview.then, undefined)}\n\n${preview.then.note}`);
  return `${parts.join('\n\n')}\n`;
}

function describeOutcome(
  name: string,
  target: DeployTarget,
  event: ImageEvent,
  report: DeployReport,
): string {
  const lines = [`triggered "${name}" (${target.type}) for ${describeImage(event)}`];
  if (report.runUrl) lines.push(`  run: ${report.runUrl}`);
  if (report.revision) lines.push(`  revision: ${report.revision}`);
  if (report.warning) lines.push(`  warning: ${report.warning}`);
  return `${lines.join('\n')}\n`;
}
