import { readAppSettings } from '../../shared/config/app-settings';
import { createRuntime, useRuntime, type Runtime } from '../../shared/runtime/composition-root';

/**
 * Builds the app's runtime from these app settings (development, loopback http allowed for the local
 * fake servers) and makes the functions use it, as the worker would after reading its app settings.
 */
export async function useTestRuntime(
  settings: Record<string, string>,
  options: Parameters<typeof createRuntime>[2] = {},
): Promise<Runtime> {
  const runtime = await createRuntime(
    readAppSettings({
      AZURE_FUNCTIONS_ENVIRONMENT: 'Development',
      AUTOPILOT_ALLOW_INSECURE_LOOPBACK: 'true',
      ...settings,
    }),
    undefined,
    options,
  );
  useRuntime(runtime);
  return runtime;
}
