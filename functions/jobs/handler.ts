import { JobPageDue } from '#shared/events/job-page-due.ts';
import { JobRequested } from '#shared/events/job-requested.ts';
import { eventHandler, on } from '#shared/lambda/event-handler.ts';
import { liveDeps } from './adapters.ts';
import type { JobsDeps } from './ports.ts';
import { runJobPage } from './run.ts';

/** Long work in pages: `Job Requested` runs a job's first page, `Job Page Due` each next one. */
export const makeHandler = (deps: JobsDeps) =>
  eventHandler('jobs', [
    on(JobRequested, (data) => runJobPage({ jobId: data.jobId, page: 0 }, deps)),
    on(JobPageDue, (data) => runJobPage({ jobId: data.jobId, page: data.page }, deps)),
  ]);

export const handler = makeHandler(liveDeps());
