import type { LoadedApp } from './function-registry';

/**
 * What the app uses that this host does not do the way Azure does, one sentence each, so nobody trusts
 * a local run for it: route constraints and optional route parameters, host.json `functionTimeout`,
 * trigger retry options, and hooks other than `appStart`.
 */
export function unemulatedFeatures(app: LoadedApp, hostJson: Record<string, unknown>): string[] {
  const notes: string[] = [];
  for (const registration of app.registrations) {
    const route = registration.trigger.route;
    if (typeof route === 'string' && /\{[^}]*[:?][^}]*\}/.test(route)) {
      notes.push(
        `${registration.name}: route "${route}" has constraints or optional parameters, which the local host does not check`,
      );
    }
    if (registration.retryOptions !== undefined) {
      notes.push(`${registration.name}: trigger retry options are not applied by the local host`);
    }
  }
  if (hostJson.functionTimeout !== undefined) {
    notes.push(`host.json functionTimeout (${String(hostJson.functionTimeout)}) is not enforced locally`);
  }
  for (const [hook, callbacks] of app.hooks) {
    if (hook !== 'appStart' && callbacks.length > 0) {
      notes.push(`app.hook.${hook} is registered but the local host only runs appStart hooks`);
    }
  }
  return notes;
}
