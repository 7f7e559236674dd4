import type { ImageEvent } from '../events/image-event';
import type { LandedPinInfo } from '../messages/action-messages';

/**
 * The exact HTTP request a deploy target is sent, built purely from the config and the event. It holds
 * no secret: the adapter adds `authorization` (see `authorizationHeader`) or the Standard Webhooks
 * signature, then sends `body` byte for byte. `acr-autopilot deploy --dry-run` prints it.
 */
export interface DeployHttpRequest {
  method: 'GET' | 'POST' | 'PATCH';
  url: string;
  /** Lower-case names: content-type, accept, API version headers. */
  headers: Record<string, string>;
  /** The JSON text to send; absent for GET. */
  body?: string;
}

/** What a request is built from: a deploy request (or anything shaped like one). */
export interface DeployInput {
  /** Key of `deployTargets`, for error messages. */
  target: string;
  event: ImageEvent;
  /** The landed pin of a `deploy: { after: pin }` request. */
  pin?: LandedPinInfo | undefined;
}

/** What the domain cannot know by itself. */
export interface DeployRequestExtra {
  /** The time stamped into bodies that carry one (webhook `timestamp`, `webhook-timestamp`). */
  now: Date;
  /** The webhook URL read from the `urlFrom` app setting, when the target has one. */
  url?: string | undefined;
  /**
   * GitHub `workflow_dispatch`: ask for `return_run_details` (200 with the run's id and URLs; default
   * true). GitHub Enterprise Server versions before the February 2026 API refuse it with 422: send
   * again with `false` and find the run with `workflowRunsRequest`.
   */
  returnRunDetails?: boolean | undefined;
}

/** `https://x/` + `a`, `b` → `https://x/a/b`, each segment percent-encoded. */
export function joinUrl(base: string, ...segments: (string | number)[]): string {
  return [base.replace(/\/+$/, ''), ...segments.map((segment) => encodeURIComponent(String(segment)))].join(
    '/',
  );
}

/** `?a=1&b=2` from the defined entries, or '' when there are none. */
export function queryString(params: Record<string, string | undefined>): string {
  const defined = Object.entries(params).filter((entry): entry is [string, string] => entry[1] !== undefined);
  return defined.length === 0 ? '' : `?${new URLSearchParams(defined).toString()}`;
}

export const jsonHeaders = { accept: 'application/json', 'content-type': 'application/json' } as const;
