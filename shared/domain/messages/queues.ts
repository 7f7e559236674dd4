/** Queue names (DESIGN.md contracts). Each has a `-poison` twin the host fills after maxDequeueCount. */
export const queueNames = {
  pin: 'pin-requests',
  deploy: 'deploy-requests',
  notify: 'notifications',
  retention: 'retention-requests',
} as const;
export type QueueName = (typeof queueNames)[keyof typeof queueNames];

export const poisonQueueOf = (queue: string): string => `${queue}-poison`;
