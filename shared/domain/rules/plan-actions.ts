import picomatch from 'picomatch';
import {
  defaultNotifyKinds,
  type Config,
  type NotifyKind,
  type NotifyRoute,
  type Rule,
} from '../config/schema';
import type { ImageEvent } from '../events/image-event';
import type { ActionMessage, PinRequest, ResolvedNotifyRoute } from '../messages/action-messages';
import { retentionRequestsFor, type RetainingRule } from '../retention/push-requests';
import { compileTagMatcher, type TagPredicate } from './tag-matcher';

export interface ActionPlan {
  /** One message per action, deduplicated across rules (the same pin/deploy/channel once). */
  messages: ActionMessage[];
  /** Indexes of the rules that matched. */
  matchedRules: number[];
  /** Why a matching rule produced less than it asks for (e.g. no pin for a delete). */
  notes: string[];
  /** Why each rule that did not match did not: the first part of its `match` the event fails. */
  unmatched: { index: number; name?: string; reason: string }[];
}

const pushActions = new Set<ImageEvent['action']>(['push', 'chart_push']);

/** `rule "web"` or `rules[2]`: how log lines, notes and traces name a rule. */
export function ruleLabel(rule: { index: number; name?: string | undefined }): string {
  return rule.name ? `rule "${rule.name}"` : `rules[${rule.index}]`;
}

/** Decides, purely, which messages an event produces under the configured rules. */
export function planActions(event: ImageEvent, config: Config): ActionPlan {
  const plan: ActionPlan = { messages: [], matchedRules: [], notes: [], unmatched: [] };
  const compiled = compileRules(config);
  const envelope = { dedupeKey: event.dedupeKey, correlationId: event.id };
  const seen = new Set<string>();
  const once = (key: string) => (seen.has(key) ? false : (seen.add(key), true));
  const pins = new Map<string, PinRequest>();
  const retaining: RetainingRule[] = [];

  config.rules.forEach((rule, index) => {
    const predicate = compiled[index];
    const whyNot = predicate ? predicate(event) : 'the rule could not be compiled';
    if (whyNot !== undefined) {
      plan.unmatched.push({ index, ...(rule.name ? { name: rule.name } : {}), reason: whyNot });
      return;
    }
    plan.matchedRules.push(index);
    const label = ruleLabel({ index, name: rule.name });
    const ruleRef = { index, ...(rule.name ? { name: rule.name } : {}) };
    const notify = resolveRoutes(rule.notify);
    const isPush = pushActions.has(event.action);

    let pin: PinRequest | undefined;
    if (rule.pin) {
      const key = `pin\n${rule.pin.repo}\n${rule.pin.paths.join('\n')}\n${rule.pin.mode}`;
      if (!isPush) plan.notes.push(`${label}: ${event.action} events are not pinned`);
      else if (once(key)) {
        pin = {
          type: 'pin',
          ...envelope,
          event,
          rule: ruleRef,
          notify,
          repo: rule.pin.repo,
          paths: rule.pin.paths,
          mode: rule.pin.mode,
          render: rule.pin.render,
          ...(rule.match.tag ? { tagPattern: rule.match.tag } : {}),
        };
        pins.set(key, pin);
        plan.messages.push(pin);
      } else pin = pins.get(key);
    }
    for (const target of rule.deploy.targets) {
      if (!isPush) plan.notes.push(`${label}: ${event.action} events do not trigger deployments`);
      else if (!once(`deploy\n${target}`)) continue;
      else if (rule.deploy.after !== 'pin') {
        plan.messages.push({ type: 'deploy', ...envelope, event, rule: ruleRef, notify, target });
      } else if (pin) {
        // The pin consumer sends it once the commit landed, with its sha (issue 10 §2).
        pin.then = [...(pin.then ?? []), { target, rule: ruleRef, notify }];
      } else plan.notes.push(`${label}: deploy target "${target}" waits for a pin, but the rule has none`);
    }
    if (rule.retain) retaining.push({ rule: ruleRef, notify, label });
    const kind: NotifyKind = isPush ? 'pushed' : 'deleted';
    for (const route of notify) {
      if (route.kinds.includes(kind) && once(`notify\n${route.channel}`)) {
        plan.messages.push({
          type: 'notify',
          ...envelope,
          channel: route.channel,
          payload: { kind, event },
        });
      }
    }
  });
  // Push-triggered retention: `retain: true` rules, and policies with `onPush: true` (no rule needed).
  const retention = retentionRequestsFor(event, config, retaining);
  plan.messages.push(...retention.messages);
  plan.notes.push(...retention.notes);
  return plan;
}

export function resolveRoutes(routes: readonly NotifyRoute[]): ResolvedNotifyRoute[] {
  return routes.map((route) =>
    typeof route === 'string'
      ? { channel: route, kinds: [...defaultNotifyKinds] }
      : { channel: route.channel, kinds: [...route.kinds] },
  );
}

/** Undefined when the rule matches the event, else the first part of `match` it fails, in words. */
type EventPredicate = (event: ImageEvent) => string | undefined;
const compiledRules = new WeakMap<Config, EventPredicate[]>();

function compileRules(config: Config): EventPredicate[] {
  let compiled = compiledRules.get(config);
  if (!compiled) {
    compiled = config.rules.map(compileRule);
    compiledRules.set(config, compiled);
  }
  return compiled;
}

function compileRule(rule: Rule): EventPredicate {
  const { registry, repository, tag, actions } = rule.match;
  // Registry hosts compare case-insensitively (DNS); repository paths exactly.
  const registryMatches = registry ? picomatch(registry.toLowerCase(), { dot: true }) : () => true;
  const repositoryMatches = picomatch(repository, { dot: true });
  const tagMatches: TagPredicate = tag ? compileTagMatcher(tag) : () => true;
  return (event) => {
    if (!actions.includes(event.action)) {
      return `${event.action} is not in match.actions [${actions.join(', ')}]`;
    }
    if (!registryMatches(event.registry)) {
      return `registry "${event.registry}" does not match match.registry "${registry ?? ''}"`;
    }
    if (!repositoryMatches(event.repository)) {
      return `repository "${event.repository}" does not match match.repository "${repository}"`;
    }
    if (!tagMatches(event.tag)) {
      return event.tag === undefined
        ? `the event has no tag, and match.tag is "${tag ?? ''}"`
        : `tag "${event.tag}" does not match match.tag "${tag ?? ''}"`;
    }
    return undefined;
  };
}
