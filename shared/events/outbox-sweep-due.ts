import * as z from '../zod.ts';
import { defineEvent, describeEvent } from './envelope.ts';

export const OutboxSweepDue = defineEvent({
  detailType: 'Outbox Sweep Due',
  source: 'backline.scheduler',
  schemaVersion: 1,
  data: () => z.object({}),
});
DOCS: describeEvent(OutboxSweepDue, {
  description: 'Every minute: republish outbox entries left unpublished, settle stale mail claims.',
  sample: {},
});
