import Module from 'node:module';

/** A binding as `@azure/functions` describes it to the Functions host (toCoreFunctionMetadata). */
export interface BindingMetadata {
  type: string;
  direction: 'in' | 'out';
  name?: string;
  [key: string]: unknown;
}

export type FunctionHandler = (trigger: unknown, context: unknown) => unknown;

export interface Registration {
  name: string;
  trigger: BindingMetadata;
  bindings: Record<string, BindingMetadata>;
  handler: FunctionHandler;
  /** `app.*({ retry })`: the host's own trigger retries, which the local host does not apply. */
  retryOptions?: unknown;
}

interface CoreFunctionMetadata {
  name: string;
  bindings: Record<string, BindingMetadata>;
  retryOptions?: unknown;
}

/**
 * Loads function modules and records every `app.*` registration. `@azure/functions` registers through
 * the worker-injected module `@azure/functions-core` and falls back to "test mode" (registering
 * nothing) when it is missing; answering that require with our own object captures the registrations
 * the real host would get, with the user's handlers (reference/ingress.md §5).
 */
export interface LoadedApp {
  registrations: Registration[];
  /** `app.hook.*` callbacks by hook name (`appStart`, `appTerminate`, …), in registration order. */
  hooks: Map<string, ((coreContext: unknown) => unknown)[]>;
}

export function loadFunctions(modulePaths: readonly string[]): LoadedApp {
  const registrations: Registration[] = [];
  const hooks = new Map<string, ((coreContext: unknown) => unknown)[]>();
  const disposable = { dispose() {} };
  const fakeCore = {
    version: 'acr-autopilot-local-host',
    setProgrammingModel() {},
    getProgrammingModel() {
      return undefined;
    },
    registerFunction(metadata: CoreFunctionMetadata, handler: FunctionHandler) {
      const trigger = Object.values(metadata.bindings).find(
        (binding) => binding.direction === 'in' && binding.type.endsWith('Trigger'),
      );
      if (!trigger) throw new Error(`function ${metadata.name} has no trigger binding`);
      if (registrations.some((existing) => existing.name === metadata.name)) {
        throw new Error(`two functions are registered as "${metadata.name}"; names must be unique`);
      }
      registrations.push({
        name: metadata.name,
        trigger,
        bindings: metadata.bindings,
        handler,
        ...(metadata.retryOptions === undefined ? {} : { retryOptions: metadata.retryOptions }),
      });
      return disposable;
    },
    registerHook(name: string, callback: (coreContext: unknown) => unknown) {
      hooks.set(name, [...(hooks.get(name) ?? []), callback]);
      return disposable;
    },
  };
  const prototype = Module.prototype as unknown as { require: (id: string) => unknown };
  const originalRequire = prototype.require;
  prototype.require = function (this: unknown, id: string) {
    if (id === '@azure/functions-core') return fakeCore;
    // eslint-disable-next-line prefer-rest-params
    return originalRequire.apply(this, arguments as unknown as [string]);
  };
  try {
    // Function modules are found at run time (package.json main), so they are required by path.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    for (const modulePath of modulePaths) require(modulePath);
  } finally {
    prototype.require = originalRequire;
  }
  return { registrations, hooks };
}
