import type { Context } from 'aws-lambda';
import { JobPageDue } from '#shared/events/job-page-due.ts';
import { JobRequested } from '#shared/events/job-requested.ts';
import { invocationDeadline } from '#shared/lambda/deadline.ts';
import { eventHandler, on } from '#shared/lambda/event-handler.ts';
import { liveDeps } from './adapters.ts';
import type { JobsDeps } from './ports.ts';
import { runJobPage } from './run.ts';

/**
 * Long work in pages: `Job Requested` runs a job's first page, `Job Page Due` each next one. A page's
 * work stops short of the function's timeout, so an attempt that would be killed records its failure.
 */
export const makeHandler = (deps: JobsDeps) => {
  // The page's lease is the invocation's: Lambda's retries of it keep its request id (docs/design.md#jobs).
  const ofInvocation = (context: Context) => ({
    deadline: invocationDeadline(deps.now, context),
    owner: context.awsRequestId,
  });
  return eventHandler('jobs', [
    on(JobRequested, (data, _metadata, context) =>
      runJobPage({ jobId: data.jobId, page: 0, ...ofInvocation(context) }, deps),
    ),
    on(JobPageDue, (data, _metadata, context) =>
      runJobPage({ jobId: data.jobId, page: data.page, ...ofInvocation(context) }, deps),
    ),
  ]);
};

export const handler = makeHandler(liveDeps());
