import type { Metrics } from '../../domain/ports';

/**
 * The ingress function, timed: from the call to the answer, recorded in the ingress latency histogram
 * with the function's name and the answer's HTTP status (`ok`/`error` for a trigger without one).
 * Recording happens after the answer is settled and never delays or fails it.
 */
export function timedIngress<A extends unknown[], R>(
  endpoint: string,
  handler: (...args: A) => Promise<R>,
  metricsOf: () => Promise<Metrics>,
): (...args: A) => Promise<R> {
  return async (...args: A): Promise<R> => {
    const started = performance.now();
    let status: number | 'ok' | 'error' = 'error';
    try {
      const answer = await handler(...args);
      status = statusOf(answer);
      return answer;
    } finally {
      const ms = performance.now() - started;
      void metricsOf()
        .then((metrics) => metrics.ingressLatency(ms, endpoint, status))
        .catch(() => {});
    }
  };
}

/** An HttpResponseInit's status (200 when it names none); `ok` for a trigger that answers nothing. */
function statusOf(answer: unknown): number | 'ok' {
  if (typeof answer !== 'object' || answer === null) return 'ok';
  const { status } = answer as { status?: unknown };
  return typeof status === 'number' ? status : 200;
}
