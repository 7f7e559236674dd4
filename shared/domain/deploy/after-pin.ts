import {
  deployRequestSchema,
  type DeployRequest,
  type LandedPinInfo,
  type PinRequest,
} from '../messages/action-messages';

/**
 * The deploy requests a pin request carries (`then`, planned for `deploy: { targets, after: pin }`),
 * ready for the deploy queue once the pin landed: same event and envelope, each with its own rule and
 * routes, and the commit (or pull request) it waited for. Empty when the pin asks for none.
 */
export function deployRequestsAfterPin(pin: PinRequest, landed: LandedPinInfo): DeployRequest[] {
  return (pin.then ?? []).map(({ target, rule, notify }) =>
    deployRequestSchema.parse({
      type: 'deploy',
      dedupeKey: pin.dedupeKey,
      correlationId: pin.correlationId,
      event: pin.event,
      rule,
      notify,
      target,
      after: 'pin',
      pin: { repo: pin.repo, ...landed },
    }),
  );
}
