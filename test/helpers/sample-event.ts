import type { ImageEvent } from '../../shared/domain/events/image-event';

/** A parsed push of contoso.azurecr.io/payments/api:1.4.2 with a real digest; override what a test varies. */
export function sampleEvent(overrides: Partial<ImageEvent> = {}): ImageEvent {
  return {
    id: 'e1',
    source: 'acr-webhook',
    action: 'push',
    registry: 'contoso.azurecr.io',
    repository: 'payments/api',
    tag: '1.4.2',
    digest: 'sha256:4f1a8c0e3b2d5f6a7c8e9d0b1a2c3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d',
    occurredAt: '2026-11-25T10:00:00.000Z',
    dedupeKey: '0123456789abcdef0123456789abcdef',
    ...overrides,
  };
}
