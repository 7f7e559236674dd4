import { randomUUID } from 'node:crypto';
import { InvocationContext } from '@azure/functions';
import type { Registration } from './function-registry';
import { formatLogArgs, type HostLog, type HostLogLevel } from './host-log';

/** Runs one invocation with a real `InvocationContext` whose logs go to the host log. */
export async function invoke(
  registration: Registration,
  trigger: unknown,
  log: HostLog,
  triggerMetadata: Record<string, unknown> = {},
): Promise<unknown> {
  const context = new InvocationContext({
    invocationId: randomUUID(),
    functionName: registration.name,
    triggerMetadata,
    logHandler: (level, ...args) => log(level as HostLogLevel, registration.name, formatLogArgs(args)),
  });
  return registration.handler(trigger, context);
}
