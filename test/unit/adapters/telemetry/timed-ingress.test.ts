import { describe, expect, it } from 'vitest';
import { timedIngress } from '../../../../shared/adapters/telemetry/timed-ingress';
import type { Metrics } from '../../../../shared/domain/ports';
import { recordingMetrics } from '../../../helpers/recording-metrics';

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('timedIngress', () => {
  it('records the time to answer with the HTTP status, 200 when the answer names none', async () => {
    const metrics = recordingMetrics();
    const handler = timedIngress(
      'acrWebhook',
      async (status?: number) => (status === undefined ? { body: 'ok' } : { status }),
      async () => metrics,
    );
    expect(await handler(202)).toEqual({ status: 202 });
    expect(await handler()).toEqual({ body: 'ok' });
    await settle();
    expect(metrics.latencies).toEqual(['acrWebhook 202 true', 'acrWebhook 200 true']);
  });

  it('records ok for a trigger, error when it throws, and passes the error on', async () => {
    const metrics = recordingMetrics();
    const trigger = timedIngress(
      'acrEventGrid',
      async (fail: boolean) => {
        if (fail) throw new Error('storage down');
      },
      async () => metrics,
    );
    await trigger(false);
    await expect(trigger(true)).rejects.toThrow('storage down');
    await settle();
    expect(metrics.latencies).toEqual(['acrEventGrid ok true', 'acrEventGrid error true']);
  });

  it('never fails the answer when recording fails', async () => {
    const broken: Metrics = {
      ...recordingMetrics(),
      ingressLatency: () => {
        throw new Error('exporter broke');
      },
    };
    const handler = timedIngress(
      'acrWebhook',
      async () => ({ status: 202 }),
      async () => broken,
    );
    const noRuntime = timedIngress(
      'acrWebhook',
      async () => ({ status: 202 }),
      () => Promise.reject(new Error('no runtime')),
    );
    expect(await handler()).toEqual({ status: 202 });
    expect(await noRuntime()).toEqual({ status: 202 });
    await settle();
  });
});
