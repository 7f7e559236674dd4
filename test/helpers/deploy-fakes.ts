import type { AccessTokens } from '../../shared/adapters/deploy/access-tokens';
import { createDeployTriggers, type TriggerDeps } from '../../shared/adapters/deploy/deploy-triggers';
import { createOutboundClient } from '../../shared/adapters/http/outbound-client';
import type { DeployInput } from '../../shared/domain/deploy/deploy-http-request';
import type {
  AcceptedTrigger,
  DeployTrigger,
  DeployTriggers,
  RegionArrivals,
} from '../../shared/domain/deploy/deploy-ports';
import type { DeployTarget } from '../../shared/domain/config/deploy-targets-schema';
import { captureLogger } from './fakes';

/** Region arrivals in memory, with the Table adapter's rules (first arrival per region wins). */
export function memoryArrivals(): RegionArrivals & { rows: Map<string, Map<string, Date>> } {
  const rows = new Map<string, Map<string, Date>>();
  const partition = (key: string) => {
    let map = rows.get(key);
    if (!map) rows.set(key, (map = new Map()));
    return map;
  };
  return {
    rows,
    async record(key, region, at) {
      const map = partition(key);
      if (!map.has(`region-${region}`)) map.set(`region-${region}`, at);
    },
    async read(key, now) {
      const map = partition(key);
      if (!map.has('gate')) map.set('gate', now);
      const arrivals: Record<string, Date> = {};
      for (const [row, at] of map) if (row.startsWith('region-')) arrivals[row.slice(7)] = at;
      const times = [...map.values()].map((at) => at.getTime());
      return { arrivals, firstSeenAt: new Date(Math.min(...times)) };
    },
  };
}

/** A trigger per type that records calls and answers from a script (an error to throw, or a result). */
export function scriptedTriggers(): DeployTriggers & {
  calls: { target: DeployTarget; input: DeployInput }[];
  next(...answers: (AcceptedTrigger | Error)[]): void;
} {
  const calls: { target: DeployTarget; input: DeployInput }[] = [];
  const answers: (AcceptedTrigger | Error)[] = [];
  const trigger: DeployTrigger = {
    async trigger(target, input) {
      calls.push({ target, input });
      const answer = answers.shift() ?? { report: { runUrl: `https://runs.example/${calls.length}` } };
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
  return {
    calls,
    next: (...more) => void answers.push(...more),
    'github-workflow': trigger,
    'github-dispatch': trigger,
    'azure-pipelines': trigger,
    argocd: trigger,
    'container-app': trigger,
    webhook: trigger,
  };
}

/** Tokens for tests: a fixed token per scope, and the scopes that were asked for. */
export function fixedTokens(
  token: string,
): AccessTokens & { scopes: { scope: string; clientId?: string }[] } {
  const scopes: { scope: string; clientId?: string }[] = [];
  return {
    scopes,
    async token(scope, clientId) {
      scopes.push({ scope, ...(clientId ? { clientId } : {}) });
      return token;
    },
  };
}

/**
 * The real triggers over the real outbound client (plain http to loopback allowed), with app settings
 * from `settings`, fixed tokens and sleeps that return at once.
 */
export function testTriggers(settings: Record<string, string>, overrides: Partial<TriggerDeps> = {}) {
  const log = captureLogger();
  const tokens = fixedTokens('entra-test-token-0000000000001');
  const deps: TriggerDeps = {
    http: createOutboundClient({
      allowedHosts: ['127.0.0.1'],
      allowInsecureLoopback: true,
      baseDelayMs: 1,
    }),
    setting: (name) => settings[name],
    tokens,
    clock: () => new Date(),
    sleep: async () => undefined,
    log,
    runLookup: { attempts: 3, delayMs: 1 },
    armFollow: { timeoutMs: 60_000, pollMs: 1 },
    ...overrides,
  };
  return { triggers: createDeployTriggers(deps), log, tokens, deps };
}
