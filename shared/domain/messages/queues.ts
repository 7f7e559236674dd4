/** Queue names (DESIGN.md contracts). Each has a twin where the queue-consumer runner parks messages. */
export const queueNames = {
  /** Accepted events with their planned actions: one atomic write at ingress, fanned out afterwards. */
  imageEvents: 'image-events',
  pin: 'pin-requests',
  deploy: 'deploy-requests',
  notify: 'notifications',
  retention: 'retention-requests',
} as const;
export type QueueName = (typeof queueNames)[keyof typeof queueNames];
