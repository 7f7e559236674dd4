import { z } from 'zod';
import { httpsUrl } from './schema-parts';

/** Microsoft Entra's application id of Event Grid, the `appid`/`azp` of the tokens it sends. */
export const eventGridAppId = '4962773b-9cdb-44cf-a8bf-237846a00ab7';

const guid = z
  .string()
  .regex(/^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$/, 'expected a GUID (the directory tenant id)');

/**
 * `ingress.eventGrid`: Microsoft Entra protected delivery to `POST /api/acr/eventgrid`. Event Grid sends a
 * bearer token for `audience` (the Entra application id URI or client id of this app's registration);
 * the token's issuer (v1 or v2) must be `tenantId`, its signature must verify against the tenant's keys,
 * and its app id must be Event Grid's (next.md §2).
 */
export const eventGridIngressSchema = z
  .strictObject({
    entra: z
      .strictObject({
        tenantId: guid,
        audience: z
          .string()
          .min(1)
          .describe('the application id URI or client id Event Grid requests tokens for'),
        /** Where the signing keys are; default the tenant's discovery keys (tests point it at a local server). */
        jwksUrl: httpsUrl.optional(),
        /** Who may deliver; default Event Grid's application id. */
        appId: z.string().min(1).default(eventGridAppId),
      })
      .optional(),
  })
  .prefault({});
