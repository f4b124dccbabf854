import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { JobsDeps } from '#functions/jobs/ports.ts';
import { runJobPage } from '#functions/jobs/run.ts';
import { type BusEvent, LocalBus } from '#infra/local/bus/bus.ts';
import { Faults } from '#infra/local/faults.ts';
import { functions } from '#infra/topology.ts';
import { attemptLeaseMs, type JobStore } from '#shared/db/jobs.ts';
import { buildDetail } from '#shared/events/envelope.ts';
import { JobRequested } from '#shared/events/job-requested.ts';
import { aTimedImport, givenUpAtFenceClose, namedByJobs, onFakeTimers } from '#test/support/jobs.ts';

/**
 * docs/design.md#local-faults: the local bus keeps an accepted event across a `kill -9` and delivers again
 * what is unfinished, "with the attempts already spent", and a resumed jobs delivery is held as a retry
 * is (`retryNotBeforeMs`), since the attempt the kill stopped may hold the page's lease, as Lambda retries
 * an invocation that crashed a minute later on AWS (#jobs). A kill during the page's last attempt (its
 * work, or its 3 s wait for a write its fence gave up, holding the lease) leaves the lease held: resumed at
 * once, under the same request id, the page's third delivery would be refused by it (AttemptLiveError)
 * and, with no retry left, dead-lettered, the job `running` and the outlet the given-up write created
 * named by no `Outlets Changed`. Held past the lease, it finds the attempts spent and fails the job,
 * naming the outlet.
 */
describe("a kill -9 of the local cloud during a page's last attempt", () => {
  onFakeTimers();

  const killedAt = async (killMs: number) => {
    const { world, job } = await aTimedImport(['Desk,desk@x.example,press,GB']);

    // The row's write is received and not answered until the attempt's fence gives it up (its deadline);
    // DynamoDB applies it 200 ms later.
    world.outlets.upsertByEmail = givenUpAtFenceClose(world.outlets.upsertByEmail.bind(world.outlets));

    // The local cloud before the kill: once killed, its jobs function writes nothing more.
    let killed = false;
    const never = () => new Promise<never>(() => {});
    const killedStore = new Proxy(world.store, {
      get: (store, name: keyof JobStore) => {
        const value = store[name];
        return typeof value === 'function'
          ? (...args: unknown[]) => (killed ? never() : (value as (...a: unknown[]) => unknown)(...args))
          : value;
      },
    });
    const cloudBus = (runner: JobsDeps, journalDir: string) =>
      new LocalBus({
        functions: [['jobs', functions.jobs]],
        invoke: (_name, _event: BusEvent, requestId) =>
          killed && runner !== world.runner
            ? never()
            : runJobPage(
                { jobId: job.jobId, page: 0, owner: requestId, deadline: Date.now() + 5_000 },
                runner,
              ),
        faults: new Faults(),
        account: '000000000000',
        region: 'us-east-1',
        retryBaseMs: 500,
        // As the local cloud sets it (infra/local/cloud.ts).
        retryNotBeforeMs: { jobs: attemptLeaseMs + 1_000 },
        journalFiles: {
          journal: join(journalDir, 'deliveries.jsonl'),
          deadLetters: join(journalDir, 'dead-letters.jsonl'),
        },
      });
    const journalDir = mkdtempSync(join(tmpdir(), 'backline-bus-'));
    const before = cloudBus({ ...world.runner, jobs: killedStore }, journalDir);
    before.putEvents([
      {
        EventBusName: 'backline',
        Source: JobRequested.source,
        DetailType: JobRequested.detailType,
        Detail: JSON.stringify(buildDetail(JobRequested, { jobId: job.jobId, kind: 'outlet-import' })),
      },
    ]);

    // Attempts 1 and 2 time out (5 s) and are retried 31 s later; attempt 3 starts at 72 s, times out at
    // 77 s and waits 3 s.
    await vi.advanceTimersByTimeAsync(killMs);
    expect(world.store.jobs.get(job.jobId)).toMatchObject({ status: 'running', attempts: 3 });
    killed = true;

    // npm start again on the same data folder, 2 s later.
    await vi.advanceTimersByTimeAsync(2_000);
    const after = cloudBus(world.runner, journalDir);
    after.resume();
    await vi.advanceTimersByTimeAsync(120_000);

    const desk = await world.outlets.findByEmail('desk@x.example');
    const named = namedByJobs(world);
    return {
      status: world.store.jobs.get(job.jobId)?.status,
      deadLetters: after.deadLetters().map((letter) => letter.error),
      named,
      due: [desk?.id],
    };
  };

  it('during its 3 s wait, fails the job after the restart, naming the outlet, rather than dead-lettering its event', async () => {
    const { due, ...seen } = await killedAt(78_000);
    expect(seen).toEqual({ status: 'failed', deadLetters: [], named: due });
  });

  it('during its work, fails the job after the restart, naming the outlet, rather than dead-lettering its event', async () => {
    const { due, ...seen } = await killedAt(74_000);
    expect(seen).toEqual({ status: 'failed', deadLetters: [], named: due });
  });
});
