import type { Runtime } from './composition-root';

export interface Health {
  status: 'ok' | 'degraded';
  checks: { config: 'ok'; queues: 'ok' | 'unreachable'; tables: 'ok' | 'unreachable' };
}

/**
 * What anonymous `GET /api/health` reports: whether the app could load its configuration and reach its
 * storage. Nothing else (no path, setting name or warning): the caller may be anyone; the details are
 * in the log and in `acr-autopilot config check`.
 */
export async function describeHealth(runtime: Runtime): Promise<Health> {
  const { queues, tables } = await runtime.probeStorage();
  return {
    status: queues && tables ? 'ok' : 'degraded',
    checks: { config: 'ok', queues: queues ? 'ok' : 'unreachable', tables: tables ? 'ok' : 'unreachable' },
  };
}
