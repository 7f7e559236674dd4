import { replayCommand } from '../messages/replay-command';
import type { ActionTrace, PushTrace } from './assemble-trace';
import { ruleLabel, type PlannedAction } from './trace-records';

export type VerdictOutcome = 'deployed' | 'partly-deployed' | 'pending' | 'not-deployed' | 'unknown';

/** "Why did my push (not) deploy?": the outcome, one headline, and one reason per target or rule. */
export interface Verdict {
  outcome: VerdictOutcome;
  headline: string;
  reasons: string[];
}

type TargetState = 'deployed' | 'pending' | 'failed';

const pushActions = new Set(['push', 'chart_push']);

/**
 * Decides, from what ingress planned and what each action recorded, whether the push deployed, and
 * says why (not) in words that point at the fix: the rule that did not match and which part of it,
 * the target that failed with its error and the command that replays it, the pin a deployment waits for.
 */
export function deployVerdict(trace: Omit<PushTrace, 'verdict' | 'timeline'>): Verdict {
  const { image, planned, actions, rules } = trace;
  if (!image && actions.length === 0) {
    return { outcome: 'unknown', headline: 'nothing is recorded for this push', reasons: [] };
  }
  const deploys: PlannedAction[] = image
    ? planned.filter((plan) => plan.action === 'deploy')
    : actions.flatMap((action) =>
        action.action === 'deploy' && action.target ? [{ action: 'deploy', target: action.target }] : [],
      );
  if (deploys.length === 0) {
    if (image && !pushActions.has(image.action)) {
      return {
        outcome: 'not-deployed',
        headline: `not deployed: ${image.action} events never deploy`,
        reasons: [],
      };
    }
    const matched = rules.filter((rule) => rule.matched);
    if (matched.length === 0) {
      return {
        outcome: 'not-deployed',
        headline: 'not deployed: no rule matched',
        reasons:
          rules.length === 0
            ? ['the config had no rules']
            : rules.map((rule) => `${ruleLabel(rule)}: ${rule.reason ?? 'did not match'}`),
      };
    }
    const names = matched.map(ruleLabel).join(', ');
    return {
      outcome: 'not-deployed',
      headline: `not deployed: ${names} matched, but no deployment was planned`,
      reasons:
        trace.notes.length > 0
          ? trace.notes
          : [`${names} name no deploy target; add deploy: [<target>] to deploy on this push`],
    };
  }
  const states = deploys.map((plan) => targetState(plan, actions, trace.dedupeKey));
  const deployed = states.filter((state) => state.state === 'deployed');
  const failed = states.filter((state) => state.state === 'failed');
  const reasons = states.map((state) => state.line);
  if (deployed.length === states.length) {
    return { outcome: 'deployed', headline: `deployed to ${quoted(deployed)}`, reasons };
  }
  if (deployed.length > 0) {
    return {
      outcome: 'partly-deployed',
      headline: `deployed to ${quoted(deployed)}; not (yet) to ${quoted(states.filter((s) => s.state !== 'deployed'))}`,
      reasons,
    };
  }
  if (failed.length === states.length) {
    return { outcome: 'not-deployed', headline: `not deployed: ${failed[0]?.line ?? ''}`, reasons };
  }
  return { outcome: 'pending', headline: `not deployed yet: ${quoted(states)} pending`, reasons };
}

function targetState(
  plan: PlannedAction,
  actions: readonly ActionTrace[],
  dedupeKey: string,
): { target: string; state: TargetState; line: string } {
  const target = plan.target;
  const say = (state: TargetState, line: string) => ({ target, state, line });
  const deploy = actions.find((action) => action.action === 'deploy' && action.target === target);
  if (deploy && deploy.status !== 'not-run') {
    switch (deploy.status) {
      case 'done':
        return deploy.summary?.kind === 'duplicate'
          ? say('deployed', `"${target}" was already triggered for this push (${deploy.summary.text})`)
          : say('deployed', `"${target}": ${deploy.summary?.text ?? 'triggered'}`);
      case 'parked':
      case 'unreadable':
        return say(
          'failed',
          `"${target}" failed for good after ${deploy.attempts} attempt(s): ${deploy.reason ?? 'unknown error'}; ` +
            `replay with ${replayCommand(deploy.queue, dedupeKey)}`,
        );
      case 'retrying':
        return say(
          'pending',
          `"${target}" failed on attempt ${deploy.attempts} (${deploy.reason ?? ''}); retrying`,
        );
      case 'deferred':
        return say('pending', `"${target}" is waiting: ${deploy.reason ?? 'deferred'}`);
      case 'error':
        return say(
          'pending',
          `"${target}": the last run stopped (${deploy.reason ?? ''}); the host delivers it again`,
        );
    }
  }
  if (plan.after === 'pin') return waitingForPin(target, actions, dedupeKey);
  const fanOut = actions.find((action) => action.action === 'fan-out');
  if (fanOut && (fanOut.status === 'parked' || fanOut.status === 'unreadable')) {
    return say(
      'failed',
      `"${target}" was never queued: the fan-out failed: ${fanOut.reason ?? ''}; replay with ${replayCommand(fanOut.queue, dedupeKey)}`,
    );
  }
  return say('pending', `"${target}" is queued and has not run yet (is deployRequest running?)`);
}

function waitingForPin(
  target: string,
  actions: readonly ActionTrace[],
  dedupeKey: string,
): { target: string; state: TargetState; line: string } {
  const say = (state: TargetState, line: string) => ({ target, state, line });
  const pin = actions.find((action) => action.action === 'pin');
  const waits = `"${target}" deploys after the pin`;
  if (!pin || pin.status === 'not-run') return say('pending', `${waits}, which has not run yet`);
  switch (pin.status) {
    case 'parked':
    case 'unreadable':
      return say(
        'failed',
        `${waits}, and the pin failed for good: ${pin.reason ?? ''}; replay with ${replayCommand(pin.queue, dedupeKey)}`,
      );
    case 'done':
      return pin.summary?.kind === 'skipped'
        ? say('failed', `${waits}, and the pin was ${pin.summary.text}`)
        : say(
            'pending',
            `${waits}; the pin queued it (${pin.summary?.text ?? 'done'}), and it has not run yet`,
          );
    default:
      return say('pending', `${waits}, which is not done yet (${pin.reason ?? pin.status})`);
  }
}

function quoted(states: readonly { target: string }[]): string {
  return states.map((state) => `"${state.target}"`).join(', ');
}
