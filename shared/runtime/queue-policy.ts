/**
 * host.json `extensions.queues.maxDequeueCount`: the attempt after which the host moves a failing
 * message to `<queue>-poison`. Consumers compare `triggerMetadata.dequeueCount` with it to know when a
 * failure is final (and report it). test/unit/runtime checks host.json says the same.
 */
export const maxDequeueCount = 5;

/** The dequeue count of a queue-triggered invocation (1 on the first attempt). */
export function dequeueCountOf(triggerMetadata: Record<string, unknown> | undefined): number {
  const value = Number(triggerMetadata?.dequeueCount ?? 1);
  return Number.isFinite(value) && value >= 1 ? value : 1;
}
