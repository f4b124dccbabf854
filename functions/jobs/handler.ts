import middy from '@middy/core';
import { z } from 'zod';
import { JobPageDue } from '#shared/events/job-page-due.ts';
import { JobRequested } from '#shared/events/job-requested.ts';
import { liveDeps } from './adapters.ts';
import type { JobsDeps } from './ports.ts';
import { runJobPage } from './run.ts';

const JobsEvent = z.union([JobRequested.event, JobPageDue.event]);

/** Long work in pages: `Job Requested` runs a job's first page, `Job Page Due` each next one. */
export const makeHandler = (deps: JobsDeps) =>
  middy(async (raw: unknown) => {
    const event = JobsEvent.parse(raw);
    const page =
      event['detail-type'] === 'Job Page Due' ? JobPageDue.detail.parse(event.detail).data.page : 0;
    return runJobPage({ jobId: event.detail.data.jobId, page }, deps);
  });

export const handler = makeHandler(liveDeps());
