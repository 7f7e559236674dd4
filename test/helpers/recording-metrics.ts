import type { LogFields, Logger, Metrics } from '../../shared/domain/ports';

/** Metrics that remember every call, as `name outcome/attributes` counts. */
export function recordingMetrics(): Metrics & { counts: Record<string, number>; latencies: string[] } {
  const counts: Record<string, number> = {};
  const latencies: string[] = [];
  const add = (key: string, value = 1) => void (counts[key] = (counts[key] ?? 0) + value);
  return {
    counts,
    latencies,
    event: (outcome, source) => add(`event ${outcome} ${source}`),
    action: (action, outcome) => add(`action ${action} ${outcome}`),
    tagsDeleted: (count, registry) => add(`tagsDeleted ${registry}`, count),
    ingressLatency: (ms, endpoint, status) => void latencies.push(`${endpoint} ${status} ${ms >= 0}`),
  };
}

/** A logger that keeps each line with the fields it was given. */
export function fieldsLogger(): Logger & { lines: { level: string; message: string; fields?: LogFields }[] } {
  const lines: { level: string; message: string; fields?: LogFields }[] = [];
  const at = (level: string) => (message: string, fields?: LogFields) =>
    void lines.push({ level, message, ...(fields ? { fields } : {}) });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
