import * as z from '../zod.ts';
import { defineEvent, describeEvent } from './envelope.ts';
import { NonEmpty } from './fields.ts';

/** The kinds of job (shared/db/jobs.ts). */
export const JobKind = z.enum(['outlet-import', 'webhook-replay']);

export const JobRequested = defineEvent({
  detailType: 'Job Requested',
  source: 'backline.management',
  schemaVersion: 1,
  data: () => z.object({ jobId: NonEmpty, kind: JobKind }),
});
DOCS: describeEvent(JobRequested, {
  description:
    'The manager started long work (a CSV import, a webhook replay); its input is stored with the job. The jobs function runs its first page.',
  sample: { jobId: 'job-0b7c6f1e-5d2a-4c8e-9f3b-1a2b3c4d5e6f', kind: 'outlet-import' },
});
