import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { Command, Option } from 'commander';
import { readAppSettings } from '../config/app-settings';
import { createGitReader } from '../adapters/git/git-read';
import { createOutboundClient } from '../adapters/http/outbound-client';
import { registryBackends, type RegistryBackendDeps } from '../adapters/registry/create-registry-backend';
import { createTableClient } from '../adapters/storage-clients';
import { asOperator } from './cli-storage';
import { createTableStateStore } from '../adapters/table/table-state-store';
import { outboundHosts } from '../domain/config/outbound-hosts';
import type { Logger } from '../domain/ports';
import { formatBytes, formatRetentionPlan } from '../domain/retention/format-retention-plan';
import { repositoryOutcomes } from '../domain/retention/retention-outcome';
import { retentionPlanJson } from '../domain/retention/retention-plan-json';
import { operationText, retentionRunJson } from '../domain/retention/retention-run-json';
import {
  runRetention,
  type RetentionDeps,
  type RetentionProgress,
  type RetentionRunResult,
} from '../domain/retention/run-retention';
import { stateTable } from '../runtime/composition-root';
import { exitCodes, UsageError, type CliIo } from './cli-io';
import { configOption, example, jsonOption, repeatable, type ExitWith } from './command-kit';
import { loadCliConfig } from './load-cli-config';
import { progressBar, type ProgressBar } from './progress-bar';

/** Options of `retention plan`, already parsed. */
export interface RetentionPlanOptions {
  config?: string;
  /** Names in `retention.registries`; empty: all. */
  registries: string[];
  json: boolean;
}

export interface RetentionApplyOptions extends RetentionPlanOptions {
  /** Required: apply deletes images. */
  yes: boolean;
  /** Skip the Table Storage lease (storage not reachable from here; make sure the app is not applying). */
  noLease?: boolean;
}

/** Test seams: the ACR credential and SDK options, and fast sleeps between retries. */
export interface RetentionCliExtras {
  acr?: RegistryBackendDeps['acr'];
  sleep?: (ms: number) => Promise<void>;
}

/** What commander parses for `retention plan` and `retention apply`. */
interface ParsedRetentionOptions {
  config?: string;
  registry?: string[];
  json?: boolean;
  yes?: boolean;
  /** `--no-lease` sets this false. */
  lease?: boolean;
}

/** `acr-autopilot retention plan|apply`. */
export function retentionCommand(io: CliIo, exit: ExitWith): Command {
  const withCommonOptions = (command: Command) =>
    command
      .addOption(configOption())
      .addOption(
        repeatable('--registry <name>', 'only these names of retention.registries (comma-separated)'),
      );
  const plan = withCommonOptions(new Command('plan'))
    .description('show what retention keeps and deletes in each registry, and why; deletes nothing')
    .addOption(jsonOption('{ "registries": [...], "totals": { "keep", "delete" } }'))
    .addHelpText('after', example('retention plan --registry prod'))
    .action(async (options: ParsedRetentionOptions) => exit(await retentionPlan(planOptions(options), io)));
  const apply = withCommonOptions(new Command('apply'))
    .description('plan, then delete now with your own identity, and print what happened')
    .addOption(new Option('--yes', 'required: apply deletes images (run retention plan first)'))
    .addOption(
      new Option(
        '--no-lease',
        "skip the lease in the app's Table Storage (make sure the app is not applying at the same time)",
      ),
    )
    .addOption(
      jsonOption('the plan as retention plan prints it, plus "run": each registry\'s status and counts'),
    )
    .addHelpText('after', example('retention plan --registry prod', 'retention apply --registry prod --yes'))
    .action(async (options: ParsedRetentionOptions) =>
      exit(
        await retentionApply(
          { ...planOptions(options), yes: options.yes === true, noLease: options.lease === false },
          io,
        ),
      ),
    );
  return new Command('retention')
    .description('plan or apply the retention policies of autopilot.yaml now')
    .addCommand(plan)
    .addCommand(apply);
}

function planOptions(options: ParsedRetentionOptions): RetentionPlanOptions {
  return {
    ...(options.config === undefined ? {} : { config: options.config }),
    registries: (options.registry ?? []).flatMap((value) => value.split(',')).filter(Boolean),
    json: options.json === true,
  };
}

/**
 * Plans every selected registry (the same plan the app applies) and prints, per repository, every
 * tag and untagged manifest with keep/delete and the reason, then totals; `--json` prints the
 * documented JSON. Deletes nothing. Exit 1 when a registry could not be planned or is blocked.
 */
export async function retentionPlan(
  options: RetentionPlanOptions,
  io: CliIo,
  extras: RetentionCliExtras = {},
): Promise<number> {
  const bar = progressBar(io);
  const { deps, notes } = await cliDeps(io, options, { ...extras, lease: false }, bar);
  const result = await runRetention(deps, request(options, false, bar));
  bar.clear();
  const plans = result.registries.flatMap((run) => (run.plan ? [run.plan] : []));
  if (options.json) io.stdout(`${JSON.stringify(retentionPlanJson(plans), null, 2)}\n`);
  else io.stdout(formatRetentionPlan(plans));
  return reportProblems(io, result, notes);
}

/**
 * Plans and applies (`--yes` required): deletes with `retention.concurrency`, under the registry's
 * lease in the app's Table Storage when AzureWebJobsStorage is set, then prints a table (repository,
 * kept, deleted, failed, bytes freed where known). `retention.dryRun` governs the deployed app; this
 * command is an explicit request to delete now, with your own identity. Exit 1 when anything failed.
 */
export async function retentionApply(
  options: RetentionApplyOptions,
  io: CliIo,
  extras: RetentionCliExtras = {},
): Promise<number> {
  if (!options.yes) {
    throw new UsageError(
      'retention apply deletes images: run retention plan to see what goes, then add --yes',
    );
  }
  const bar = progressBar(io);
  const { deps, notes, dryRun } = await cliDeps(io, options, { ...extras, lease: !options.noLease }, bar);
  if (dryRun && !options.json) {
    io.stderr(
      'note: retention.dryRun is true: the app does not delete on its own; this command deletes now\n',
    );
  }
  const result = await runRetention(deps, request(options, true, bar));
  bar.clear();
  if (options.json) io.stdout(`${JSON.stringify(retentionRunJson(result), null, 2)}\n`);
  else io.stdout(applyTable(result));
  return reportProblems(io, result, notes);
}

function request(options: RetentionPlanOptions, apply: boolean, bar: ProgressBar) {
  const runId = `cli-${randomUUID()}`;
  return {
    trigger: 'cli' as const,
    runId,
    correlationId: runId,
    apply,
    registries: options.registries,
    notify: [],
    progress: (event: RetentionProgress) =>
      bar.update(
        `${event.phase === 'inventory' ? 'reading' : 'deleting in'} ${event.registry}`,
        event.done,
        event.total,
        event.phase === 'inventory' ? 'repositories' : 'deletes',
      ),
  };
}

async function cliDeps(
  io: CliIo,
  options: RetentionPlanOptions,
  extras: RetentionCliExtras & { lease: boolean },
  bar: ProgressBar,
): Promise<{ deps: RetentionDeps; notes: string[]; dryRun: boolean }> {
  const loaded = await loadCliConfig(io, options.config, { required: true });
  const { config } = loaded;
  if (!config.retention) {
    throw new UsageError(`${loaded.path ?? 'the config'} has no retention section; see README "Retention"`);
  }
  const settings = readAppSettings(io.env);
  const say = (prefix: string) => (message: string) => {
    bar.clear();
    io.stderr(`${prefix}${message}\n`);
  };
  const log: Logger = {
    debug: () => undefined,
    info: () => undefined,
    warn: say('warning: '),
    error: say('error: '),
  };
  const http = createOutboundClient({
    allowedHosts: outboundHosts(config),
    allowInsecureLoopback: settings.allowInsecureLoopback,
    log,
  });
  const setting = (name: string) => settings.env[name];
  const notes: string[] = [];
  if (extras.lease && !settings.storage) {
    notes.push(
      'no lease was taken (AzureWebJobsStorage is not set): make sure the app was not applying at the same time',
    );
  }
  return {
    dryRun: config.retention.dryRun,
    notes,
    deps: {
      config,
      setting,
      backendFor: registryBackends({ http, setting, log, ...(extras.acr ? { acr: extras.acr } : {}) }),
      git: createGitReader({ http }),
      state:
        extras.lease && settings.storage
          ? createTableStateStore(createTableClient(asOperator(settings.storage), stateTable))
          : undefined,
      queue: undefined,
      clock: () => new Date(),
      log,
      sleep: extras.sleep ?? ((ms) => delay(ms)),
    },
  };
}

/** The apply table: per registry, one row per repository with a policy, then the totals. */
function applyTable(result: RetentionRunResult): string {
  const lines: string[] = [];
  for (const run of result.registries) {
    lines.push(`registry ${run.name} (${run.address}): ${run.status}${run.reason ? `: ${run.reason}` : ''}`);
    if (!run.plan || !run.result) continue;
    const withPolicy = new Set(run.plan.repositories.filter((r) => r.policies.length > 0).map((r) => r.name));
    const rows = repositoryOutcomes(run.plan, run.result).filter((row) => withPolicy.has(row.repository));
    const header = ['repository', 'kept', 'deleted', 'failed', 'freed'];
    const body = rows.map((row) => [
      row.repository,
      String(row.kept),
      String(row.deleted),
      String(row.failed),
      row.bytesFreed > 0 ? formatBytes(row.bytesFreed) : '-',
    ]);
    const total = rows.reduce(
      (sum, row) => ({
        kept: sum.kept + row.kept,
        deleted: sum.deleted + row.deleted,
        failed: sum.failed + row.failed,
        bytes: sum.bytes + row.bytesFreed,
      }),
      { kept: 0, deleted: 0, failed: 0, bytes: 0 },
    );
    body.push([
      'total',
      String(total.kept),
      String(total.deleted),
      String(total.failed),
      total.bytes > 0 ? formatBytes(total.bytes) : '-',
    ]);
    const widths = header.map((title, i) =>
      Math.max(title.length, ...body.map((row) => (row[i] ?? '').length)),
    );
    const render = (row: string[]) =>
      `  ${row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ')}`;
    lines.push(render(header), ...body.map(render));
    for (const failure of run.result.failed) {
      lines.push(`  failed: ${operationText(failure.operation)}: ${failure.error}`);
    }
    for (const skip of run.result.skipped)
      lines.push(`  skipped: ${operationText(skip.operation)}: ${skip.reason}`);
  }
  return `${lines.join('\n')}\n`;
}

function reportProblems(io: CliIo, result: RetentionRunResult, notes: readonly string[]): number {
  for (const note of notes) io.stderr(`note: ${note}\n`);
  let problems = false;
  for (const run of result.registries) {
    if (run.status === 'failed' || run.status === 'blocked' || run.status === 'busy') {
      io.stderr(`registry ${run.name}: ${run.status}: ${run.reason ?? ''}\n`);
      problems = true;
    }
    if (run.result && run.result.failed.length > 0) problems = true;
  }
  return problems ? exitCodes.problems : exitCodes.ok;
}
