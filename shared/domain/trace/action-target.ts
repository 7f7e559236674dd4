import type { ActionMessage } from '../messages/action-messages';
import type { NotificationQueueMessage } from '../messages/notification-queue';
import type { PlannedAction } from './trace-records';

/**
 * What one action message acts on, the same way for what ingress planned and for what the runner
 * recorded, so `trace` can tell a planned action that never ran: the gitops repo of a pin, the deploy
 * target, `platform (pinned card)`, `prod: team-a/web` for a retention run.
 */
export function actionTarget(message: ActionMessage | NotificationQueueMessage): string {
  switch (message.type) {
    case 'pin':
      return message.repo;
    case 'deploy':
      return message.target;
    case 'notify':
      return `${message.channel} (${message.payload.kind} card)`;
    case 'notify-flush':
      return `${message.channel} (burst card)`;
    case 'retention':
      return `${message.registry}: ${message.repository}`;
  }
}

/** The actions a plan queues, deployments after a pin included (the pin sends them). */
export function plannedActions(messages: readonly ActionMessage[]): PlannedAction[] {
  return messages.flatMap((message): PlannedAction[] => [
    { action: message.type, target: actionTarget(message) },
    ...(message.type === 'pin'
      ? (message.then ?? []).map((next): PlannedAction => ({
          action: 'deploy',
          target: next.target,
          after: 'pin',
        }))
      : []),
  ]);
}
