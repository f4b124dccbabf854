import * as z from '../zod.ts';
import { defineEvent, describeEvent } from './envelope.ts';
import { NonEmpty } from './fields.ts';
import { JobKind } from './job-requested.ts';

export const JobPageDue = defineEvent({
  detailType: 'Job Page Due',
  source: 'backline.jobs',
  schemaVersion: 1,
  data: () =>
    z.object({
      jobId: NonEmpty,
      kind: JobKind,
      page: z.int().check(z.positive()),
    }),
});
DOCS: describeEvent(JobPageDue, {
  description: 'A job finished a page and continues with the next one in a new invocation.',
  sample: { jobId: 'job-0b7c6f1e-5d2a-4c8e-9f3b-1a2b3c4d5e6f', kind: 'outlet-import', page: 1 },
});
