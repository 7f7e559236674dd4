import { describe, expect, it } from 'vitest';
import {
  observedLogger,
  startTelemetry,
  type Telemetry,
} from '../../../../shared/adapters/telemetry/telemetry';
import { noMetrics } from '../../../../shared/domain/ports';
import { fieldsLogger } from '../../../helpers/recording-metrics';

function fakeTelemetry(options: { fail?: boolean } = {}): Telemetry & { records: string[] } {
  const records: string[] = [];
  return {
    records,
    metrics: noMetrics,
    log(level, message, fields) {
      if (options.fail) throw new Error('exporter broke');
      records.push(`${level} ${message} ${JSON.stringify(fields)}`);
    },
    flush: async () => {},
    shutdown: async () => {},
  };
}

describe('observedLogger', () => {
  it('sends the lines that carry fields to telemetry too, and writes every line as before', () => {
    const log = fieldsLogger();
    const telemetry = fakeTelemetry();
    const observed = observedLogger(log, telemetry);
    observed.info('queued 1 action(s)', { correlationId: 'e1', dedupeKey: 'k1' });
    observed.debug('rule 1 did not match');
    observed.error('parked', { dedupeKey: 'k1' });
    expect(log.lines.map((line) => line.message)).toEqual([
      'queued 1 action(s)',
      'rule 1 did not match',
      'parked',
    ]);
    expect(telemetry.records).toEqual([
      'info queued 1 action(s) {"correlationId":"e1","dedupeKey":"k1"}',
      'error parked {"dedupeKey":"k1"}',
    ]);
  });

  it('is the logger itself without telemetry, and never throws when telemetry fails', () => {
    const log = fieldsLogger();
    expect(observedLogger(log, undefined)).toBe(log);
    const observed = observedLogger(log, fakeTelemetry({ fail: true }));
    expect(() => observed.warn('retrying', { dedupeKey: 'k1' })).not.toThrow();
    expect(log.lines).toHaveLength(1);
  });
});

describe('startTelemetry', () => {
  it('starts nothing without a connection string', async () => {
    expect(await startTelemetry(undefined)).toBeUndefined();
    expect(await startTelemetry('')).toBeUndefined();
  });
});
