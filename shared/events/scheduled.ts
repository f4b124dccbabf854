import type { EventContract } from './envelope.ts';

/**
 * What Backline's schedules put on the bus. EventBridge Scheduler fills in its context attributes
 * when a schedule fires (`<aws.scheduler.execution-id>`, `<aws.scheduler.scheduled-time>`); the
 * local scheduler does the same, so this envelope is the one both the stack and the local cloud use.
 */
export const schedulerSource = 'backline.scheduler';

export const schedulerContext = {
  executionId: '<aws.scheduler.execution-id>',
  scheduledTime: '<aws.scheduler.scheduled-time>',
} as const;

/** The `detail` of a recurring schedule's event: an envelope with no data, dated when it fired. */
export const recurringScheduleDetail = (contract: EventContract) => ({
  metadata: {
    eventId: schedulerContext.executionId,
    correlationId: schedulerContext.executionId,
    occurredAt: schedulerContext.scheduledTime,
    schemaVersion: contract.schemaVersion,
  },
  data: {},
});
