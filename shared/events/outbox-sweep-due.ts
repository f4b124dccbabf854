import * as z from '../zod.ts';
import { defineEvent } from './envelope.ts';

export const OutboxSweepDue = defineEvent({
  detailType: 'Outbox Sweep Due',
  source: 'backline.scheduler',
  schemaVersion: 1,
  description: 'Every minute: republish outbox entries left unpublished, settle stale mail claims.',
  data: z.object({}),
  sample: {},
});
