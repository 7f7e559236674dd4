import type { ContainerRegistryClientOptions } from '@azure/container-registry' with {
  'resolution-mode': 'import',
};
import type { TokenCredential } from '@azure/identity' with { 'resolution-mode': 'import' };
import type { RetentionRegistry } from '../../domain/config/retention-schema';
import type { Logger } from '../../domain/ports';
import type { RegistryBackend } from '../../domain/retention/retention-ports';
import type { OutboundClient } from '../http/outbound-client';
import { createAcrBackend } from './acr-registry-backend';
import { createOciBackend } from './oci-registry-backend';

export interface RegistryBackendDeps {
  /** The one outbound client: every call to an OCI registry goes through it. */
  http: OutboundClient;
  setting(name: string): string | undefined;
  log: Pick<Logger, 'warn'>;
  /** ACR only: the credential (default DefaultAzureCredential) and SDK options (tests: a trusted CA). */
  acr?: { credential?: TokenCredential; clientOptions?: ContainerRegistryClientOptions };
}

/**
 * The backend for a `retention.registries` entry, built once per registry and reused (the ACR client
 * keeps its tokens; the OCI client its bearer tokens per scope).
 */
export function registryBackends(
  deps: RegistryBackendDeps,
): (registry: RetentionRegistry) => RegistryBackend {
  const built = new Map<string, RegistryBackend>();
  return (registry) => {
    const key = JSON.stringify(registry);
    let backend = built.get(key);
    if (!backend) {
      backend =
        registry.type === 'acr'
          ? createAcrBackend({
              name: registry.name,
              loginServer: registry.loginServer,
              log: deps.log,
              ...(deps.acr?.credential ? { credential: deps.acr.credential } : {}),
              ...(deps.acr?.clientOptions ? { clientOptions: deps.acr.clientOptions } : {}),
            })
          : createOciBackend({ registry, http: deps.http, setting: deps.setting, log: deps.log });
      built.set(key, backend);
    }
    return backend;
  };
}
