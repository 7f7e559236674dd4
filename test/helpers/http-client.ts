import {
  createOutboundClient,
  type OutboundClient,
  type OutboundClientOptions,
} from '../../shared/adapters/http/outbound-client';

/**
 * The app's outbound client as the tests' local servers need it: plain http to 127.0.0.1 allowed
 * (`allowInsecureLoopback`), no other host on the allow-list. Everything else is the production default
 * unless `overrides` say otherwise (e.g. `sleep`, `attempts`, `log`).
 */
export function testHttpClient(overrides: Partial<OutboundClientOptions> = {}): OutboundClient {
  return createOutboundClient({ allowedHosts: [], allowInsecureLoopback: true, ...overrides });
}
