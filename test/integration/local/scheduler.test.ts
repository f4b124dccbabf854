import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ConflictException,
  CreateScheduleCommand,
  type CreateScheduleCommandInput,
  CreateScheduleGroupCommand,
  DeleteScheduleCommand,
  DeleteScheduleGroupCommand,
  GetScheduleCommand,
  GetScheduleGroupCommand,
  ListScheduleGroupsCommand,
  ListSchedulesCommand,
  ResourceNotFoundException,
  SchedulerClient,
  UpdateScheduleCommand,
  ValidationException,
} from '@aws-sdk/client-scheduler';
import { Temporal } from 'temporal-polyfill';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { installVirtualClock } from '#infra/local/clock.ts';
import { Faults } from '#infra/local/faults.ts';
import { LocalQueue } from '#infra/local/queues/queue.ts';
import { wallTimeAt } from '#infra/local/scheduler/expressions.ts';
import {
  createLocalScheduler,
  type LocalScheduler,
  type LocalSchedulerOptions,
  type ScheduledTarget,
} from '#infra/local/scheduler.ts';

const clock = installVirtualClock();
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const BUS_ARN = 'arn:aws:events:us-east-1:000000000000:event-bus/backline';

interface Running {
  scheduler: LocalScheduler;
  client: SchedulerClient;
  sent: ScheduledTarget[];
  close(): Promise<void>;
}

let directory: string;
let file: string;
let running: Running[] = [];

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'backline-scheduler-'));
  file = join(directory, 'schedules.jsonl');
});

afterEach(async () => {
  await Promise.all(running.map((r) => r.close()));
  running = [];
  rmSync(directory, { recursive: true, force: true });
});

async function startScheduler(
  putEvents?: (target: ScheduledTarget) => Promise<void>,
  catchUp?: () => Promise<void>,
  more: Pick<LocalSchedulerOptions, 'settle' | 'settleWithinMs'> = {},
): Promise<Running> {
  const sent: ScheduledTarget[] = [];
  const scheduler = createLocalScheduler({
    clock,
    file,
    putEvents: async (target) => {
      sent.push(target);
      await putEvents?.(target);
    },
    ...(catchUp ? { catchUp } : {}),
    ...more,
  });
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (!(await scheduler.handle(req, res, Buffer.concat(chunks)))) {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const client = new SchedulerClient({
    region: 'us-east-1',
    endpoint: `http://127.0.0.1:${port}`,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const r: Running = {
    scheduler,
    client,
    sent,
    close: async () => {
      scheduler.stop();
      client.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  running.push(r);
  return r;
}

/** The error a call fails with (awaited at once, so no rejection goes unhandled). */
async function failure(call: Promise<unknown>): Promise<unknown> {
  try {
    await call;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

/** A schedule with defaults: a release-day event on the Backline bus. */
function aSchedule(overrides: Partial<CreateScheduleCommandInput> = {}): CreateScheduleCommandInput {
  return {
    Name: 'release-day-r1',
    ScheduleExpression: 'rate(1 hour)',
    FlexibleTimeWindow: { Mode: 'OFF' },
    Target: {
      Arn: BUS_ARN,
      RoleArn: 'arn:aws:iam::000000000000:role/scheduler',
      EventBridgeParameters: { DetailType: 'Release Day Reached', Source: 'backline.scheduler' },
      Input: JSON.stringify({ data: { releaseId: 'r1' } }),
    },
    ...overrides,
  };
}

/** Whole minutes from now on the virtual clock, as an instant and as wall time in a zone. */
function minutesAhead(minutes: number, zone = 'UTC') {
  const instant = Math.ceil(clock.now().getTime() / MINUTE) * MINUTE + minutes * MINUTE;
  return { instant, wall: new Date(wallTimeAt(zone, instant)).toISOString().slice(0, 19) };
}

describe('local Scheduler API through @aws-sdk/client-scheduler', () => {
  it('creates, gets, updates, lists and deletes a schedule', async () => {
    const { client } = await startScheduler();
    const start = new Date(Math.floor(clock.now().getTime() / 1000) * 1000 + DAY);

    const created = await client.send(
      new CreateScheduleCommand(aSchedule({ ScheduleExpressionTimezone: 'Europe/London', StartDate: start })),
    );
    const fetched = await client.send(new GetScheduleCommand({ Name: 'release-day-r1' }));
    await client.send(
      new UpdateScheduleCommand(aSchedule({ ScheduleExpression: 'cron(0 9 * * ? *)', State: 'DISABLED' })),
    );
    const updated = await client.send(
      new GetScheduleCommand({ Name: 'release-day-r1', GroupName: 'default' }),
    );
    const listed = await client.send(new ListSchedulesCommand({}));
    await client.send(new DeleteScheduleCommand({ Name: 'release-day-r1' }));
    const afterDelete = await client.send(new ListSchedulesCommand({}));

    expect(created.ScheduleArn).toBe(
      'arn:aws:scheduler:us-east-1:000000000000:schedule/default/release-day-r1',
    );
    expect(fetched).toMatchObject({
      Arn: created.ScheduleArn,
      Name: 'release-day-r1',
      GroupName: 'default',
      ScheduleExpression: 'rate(1 hour)',
      ScheduleExpressionTimezone: 'Europe/London',
      State: 'ENABLED',
      StartDate: start,
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'NONE',
      Target: aSchedule().Target,
    });
    expect(fetched.CreationDate).toBeInstanceOf(Date);
    expect(updated).toMatchObject({ ScheduleExpression: 'cron(0 9 * * ? *)', State: 'DISABLED' });
    expect(updated.StartDate).toBeUndefined();
    expect(listed.Schedules).toEqual([
      expect.objectContaining({
        Name: 'release-day-r1',
        GroupName: 'default',
        State: 'DISABLED',
        Target: { Arn: BUS_ARN },
      }),
    ]);
    expect(afterDelete.Schedules).toEqual([]);
  });

  it('answers a second create of the same name with ConflictException (409)', async () => {
    const { client } = await startScheduler();
    await client.send(new CreateScheduleCommand(aSchedule()));

    const second = await failure(client.send(new CreateScheduleCommand(aSchedule())));

    expect(second).toBeInstanceOf(ConflictException);
    expect(second).toMatchObject({
      $metadata: { httpStatusCode: 409 },
      message: 'Schedule release-day-r1 already exists.',
    });
  });

  it('answers ResourceNotFoundException (404) for a missing schedule or group', async () => {
    const { client } = await startScheduler();

    const errors = [
      await failure(client.send(new GetScheduleCommand({ Name: 'nope' }))),
      await failure(client.send(new UpdateScheduleCommand(aSchedule({ Name: 'nope' })))),
      await failure(client.send(new DeleteScheduleCommand({ Name: 'nope' }))),
      await failure(client.send(new CreateScheduleCommand(aSchedule({ GroupName: 'missing' })))),
      await failure(client.send(new GetScheduleGroupCommand({ Name: 'missing' }))),
    ];

    for (const error of errors) {
      expect(error).toBeInstanceOf(ResourceNotFoundException);
      expect(error).toMatchObject({ $metadata: { httpStatusCode: 404 } });
    }
    expect(errors[0]).toMatchObject({ message: 'Schedule nope does not exist.' });
  });

  it.each([
    [{ ScheduleExpression: 'every day' }, /ScheduleExpression/],
    [{ ScheduleExpression: 'cron(0 9 * * * *)' }, /day-of-week must be \?/],
    [{ ScheduleExpressionTimezone: 'Mars/Olympus' }, /ScheduleExpressionTimezone/],
    [{ Name: 'has space' }, /Name/],
    [{ State: 'PAUSED' as 'ENABLED' }, /State/],
    [{ ActionAfterCompletion: 'ARCHIVE' as 'NONE' }, /ActionAfterCompletion/],
    [{ FlexibleTimeWindow: { Mode: 'FLEXIBLE' as const } }, /MaximumWindowInMinutes/],
    [
      {
        Target: {
          Arn: 'arn:aws:lambda:us-east-1:000000000000:function:f',
          RoleArn: 'arn:aws:iam::000000000000:role/r',
        },
      },
      /locally only event-bus targets/,
    ],
    [{ Target: { Arn: BUS_ARN, RoleArn: '' } }, /Target.RoleArn/],
    [
      { Target: { Arn: BUS_ARN, RoleArn: 'arn:aws:iam::000000000000:role/r' } },
      /Target.EventBridgeParameters/,
    ],
  ])('answers ValidationException (400) naming the field for %o', async (overrides, message) => {
    const { client } = await startScheduler();

    const error = await failure(client.send(new CreateScheduleCommand(aSchedule(overrides))));

    expect(error).toBeInstanceOf(ValidationException);
    expect((error as Error).message).toMatch(message);
    expect(error).toMatchObject({ $metadata: { httpStatusCode: 400 } });
  });

  it('lists by group, name prefix and state, a page at a time', async () => {
    const { client } = await startScheduler();
    await client.send(new CreateScheduleGroupCommand({ Name: 'releases' }));
    for (const id of ['a', 'b', 'c', 'd', 'e']) {
      await client.send(
        new CreateScheduleCommand(aSchedule({ Name: `release-day-${id}`, GroupName: 'releases' })),
      );
    }
    await client.send(new CreateScheduleCommand(aSchedule({ Name: 'release-day-z', State: 'DISABLED' })));
    await client.send(new CreateScheduleCommand(aSchedule({ Name: 'outbox-sweep' })));

    const names: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await client.send(
        new ListSchedulesCommand({ GroupName: 'releases', MaxResults: 2, NextToken: token }),
      );
      names.push(...(page.Schedules ?? []).map((s) => s.Name!));
      token = page.NextToken;
      pages++;
    } while (token);
    const byPrefix = await client.send(new ListSchedulesCommand({ NamePrefix: 'release-day-' }));
    const disabled = await client.send(new ListSchedulesCommand({ State: 'DISABLED' }));
    const tooMany = await failure(client.send(new ListSchedulesCommand({ MaxResults: 101 })));

    expect(names).toEqual([
      'release-day-a',
      'release-day-b',
      'release-day-c',
      'release-day-d',
      'release-day-e',
    ]);
    expect(pages).toBe(3);
    expect(byPrefix.Schedules).toHaveLength(6);
    expect(disabled.Schedules?.map((s) => s.Name)).toEqual(['release-day-z']);
    expect(tooMany).toBeInstanceOf(ValidationException);
    expect((tooMany as Error).message).toMatch(/MaxResults/);
  });

  it('always has the default group, and creates, gets and lists others', async () => {
    const { client } = await startScheduler();

    const created = await client.send(new CreateScheduleGroupCommand({ Name: 'releases' }));
    const again = await failure(client.send(new CreateScheduleGroupCommand({ Name: 'releases' })));
    const fetched = await client.send(new GetScheduleGroupCommand({ Name: 'default' }));
    const listed = await client.send(new ListScheduleGroupsCommand({}));
    const prefixed = await client.send(new ListScheduleGroupsCommand({ NamePrefix: 'rel' }));

    expect(created.ScheduleGroupArn).toBe('arn:aws:scheduler:us-east-1:000000000000:schedule-group/releases');
    expect(again).toBeInstanceOf(ConflictException);
    expect(fetched).toMatchObject({ Name: 'default', State: 'ACTIVE' });
    expect(fetched.CreationDate).toBeInstanceOf(Date);
    expect(listed.ScheduleGroups?.map((g) => g.Name)).toEqual(['default', 'releases']);
    expect(prefixed.ScheduleGroups?.map((g) => g.Name)).toEqual(['releases']);
  });
});

describe('firing on the virtual clock', () => {
  it('fires a one-time at() in its time zone exactly when due, then deletes it', async () => {
    const { client, scheduler, sent } = await startScheduler();
    const due = minutesAhead(2 * 24 * 60, 'America/New_York');
    await client.send(
      new CreateScheduleCommand(
        aSchedule({
          ScheduleExpression: `at(${due.wall})`,
          ScheduleExpressionTimezone: 'America/New_York',
          ActionAfterCompletion: 'DELETE',
        }),
      ),
    );

    const early = await scheduler.advanceTo(new Date(due.instant - 1000));
    const onTime = await scheduler.advanceTo(new Date(due.instant));
    const later = await scheduler.advanceTo(new Date(due.instant + DAY));
    const gone = await failure(client.send(new GetScheduleCommand({ Name: 'release-day-r1' })));

    expect(early).toEqual([]);
    expect(onTime).toEqual([
      {
        name: 'release-day-r1',
        groupName: 'default',
        scheduledFor: new Date(due.instant).toISOString(),
        detailType: 'Release Day Reached',
      },
    ]);
    expect(later).toEqual([]);
    expect(sent).toEqual([
      {
        busName: 'backline',
        source: 'backline.scheduler',
        detailType: 'Release Day Reached',
        detail: JSON.stringify({ data: { releaseId: 'r1' } }),
      },
    ]);
    expect(gone).toBeInstanceOf(ResourceNotFoundException);
  });

  it('never fires a one-time schedule deleted before it was due, deleted alone or with its group', async () => {
    const { client, scheduler, sent } = await startScheduler();
    const due = minutesAhead(30);
    await client.send(new CreateScheduleGroupCommand({ Name: 'releases' }));
    await client.send(new CreateScheduleCommand(aSchedule({ ScheduleExpression: `at(${due.wall})` })));
    await client.send(
      new CreateScheduleCommand(
        aSchedule({ Name: 'release-day-r2', GroupName: 'releases', ScheduleExpression: `at(${due.wall})` }),
      ),
    );
    await client.send(new DeleteScheduleCommand({ Name: 'release-day-r1' }));
    await client.send(new DeleteScheduleGroupCommand({ Name: 'releases' }));

    const fired = await scheduler.advanceTo(new Date(due.instant + DAY));

    expect(fired).toEqual([]);
    expect(sent).toEqual([]);
  });

  it('keeps a fired one-time schedule with ActionAfterCompletion NONE, and fires it no more', async () => {
    const { client, scheduler } = await startScheduler();
    const due = minutesAhead(30);
    await client.send(new CreateScheduleCommand(aSchedule({ ScheduleExpression: `at(${due.wall})` })));

    const first = await scheduler.advanceTo(new Date(due.instant + MINUTE));
    const second = await scheduler.advanceTo(new Date(due.instant + 2 * MINUTE));
    const kept = await client.send(new GetScheduleCommand({ Name: 'release-day-r1' }));

    expect(first).toHaveLength(1);
    expect(second).toEqual([]);
    expect(kept.State).toBe('ENABLED');
  });

  it('fires a one-time at() whose time had passed when it was created at once, and deletes it after, as one created within its minute', async () => {
    const { client, scheduler, sent } = await startScheduler();
    const thisMinute = Math.floor(clock.now().getTime() / MINUTE) * MINUTE;
    const wall = (instant: number) => new Date(instant).toISOString().slice(0, 19);
    await client.send(
      new CreateScheduleCommand(
        aSchedule({
          Name: 'long-past',
          ScheduleExpression: `at(${wall(thisMinute - 5 * MINUTE)})`,
          ActionAfterCompletion: 'DELETE',
        }),
      ),
    );
    await client.send(
      new CreateScheduleCommand(
        aSchedule({ Name: 'this-minute', ScheduleExpression: `at(${wall(thisMinute)})` }),
      ),
    );

    const fired = await scheduler.advanceTo(new Date(thisMinute + DAY));
    const gone = await client
      .send(new GetScheduleCommand({ Name: 'long-past' }))
      .catch((error: Error) => error.name);

    expect(fired.map((f) => f.name).sort()).toEqual(['long-past', 'this-minute']);
    expect(sent).toHaveLength(2);
    expect(gone).toBe('ResourceNotFoundException');
  });

  it('skips a one-time at() whose wall time a DST gap leaves out, as Scheduler skips a cron time that does not exist, and fires one in an overlap once, at the first of its two times', async () => {
    const { client, scheduler, sent } = await startScheduler();
    // The next spring-forward and fall-back changes in London after the clock's now.
    const changes: Temporal.ZonedDateTime[] = [];
    let at = Temporal.Instant.fromEpochMilliseconds(clock.now().getTime()).toZonedDateTimeISO(
      'Europe/London',
    );
    while (changes.length < 2) {
      at = at.getTimeZoneTransition('next')!;
      changes.push(at);
    }
    const spring = changes.find((c) => c.offsetNanoseconds > c.subtract({ hours: 2 }).offsetNanoseconds)!;
    const autumn = changes.find((c) => c !== spring)!;
    // 01:30 on the spring day does not exist (01:00 becomes 02:00); 01:30 on the autumn day comes twice.
    const gap = spring.toPlainDateTime().subtract({ minutes: 30 }).toString().slice(0, 19);
    const overlap = autumn.toPlainDateTime().add({ minutes: 30 }).toString().slice(0, 19);
    for (const [name, wall] of [
      ['in-the-gap', gap],
      ['in-the-overlap', overlap],
    ]) {
      await client.send(
        new CreateScheduleCommand(
          aSchedule({
            Name: name,
            ScheduleExpression: `at(${wall})`,
            ScheduleExpressionTimezone: 'Europe/London',
          }),
        ),
      );
    }

    const fired = await scheduler.advanceTo(
      new Date(Math.max(spring.epochMilliseconds, autumn.epochMilliseconds) + DAY),
    );
    const skipped = await client.send(new GetScheduleCommand({ Name: 'in-the-gap' }));

    expect(fired).toEqual([
      expect.objectContaining({
        name: 'in-the-overlap',
        scheduledFor: new Date(autumn.epochMilliseconds - 30 * MINUTE).toISOString(),
      }),
    ]);
    expect(sent).toHaveLength(1);
    expect(skipped.ScheduleExpression).toBe(`at(${gap})`);
  });

  it('fires a schedule with a FLEXIBLE time window at the end of its window, the latest Scheduler may, naming the time it was set for', async () => {
    const { client, scheduler, sent } = await startScheduler();
    const due = minutesAhead(30);
    await client.send(
      new CreateScheduleCommand(
        aSchedule({
          ScheduleExpression: `at(${due.wall})`,
          FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 15 },
          Target: {
            ...aSchedule().Target!,
            Input: JSON.stringify({ scheduledFor: '<aws.scheduler.scheduled-time>' }),
          },
        }),
      ),
    );

    const listed = scheduler.pending().find((p) => p.name === 'release-day-r1');
    const atItsTime = await scheduler.advanceTo(new Date(due.instant));
    const withinWindow = await scheduler.advanceTo(new Date(due.instant + 15 * MINUTE - 1000));
    const windowEnd = await scheduler.advanceTo(new Date(due.instant + 15 * MINUTE));

    expect(listed?.next).toBe(new Date(due.instant + 15 * MINUTE).toISOString());
    expect(atItsTime).toEqual([]);
    expect(withinWindow).toEqual([]);
    expect(windowEnd).toEqual([
      expect.objectContaining({ name: 'release-day-r1', scheduledFor: new Date(due.instant).toISOString() }),
    ]);
    expect(JSON.parse(sent[0].detail)).toEqual({
      scheduledFor: `${new Date(due.instant).toISOString().slice(0, 19)}Z`,
    });
  });

  it('fires a rate(1 minute) schedule once on a 10-minute jump, at its latest occurrence', async () => {
    const { client, scheduler } = await startScheduler();
    await client.send(
      new CreateScheduleCommand(aSchedule({ Name: 'outbox-sweep', ScheduleExpression: 'rate(1 minute)' })),
    );
    const created = (await client.send(new GetScheduleCommand({ Name: 'outbox-sweep' }))).CreationDate!;
    const target = clock.now().getTime() + 10 * MINUTE;

    const jump = await scheduler.advanceTo(new Date(target));
    const nothingYet = await scheduler.advanceTo(new Date(target + 1000));
    const nextMinute = await scheduler.advanceTo(new Date(target + MINUTE));

    expect(jump).toHaveLength(1);
    const firedAt = Date.parse(jump[0].scheduledFor);
    expect(firedAt).toBeLessThanOrEqual(target);
    expect(target - firedAt).toBeLessThan(MINUTE);
    expect((firedAt - Math.floor(created.getTime() / 1000) * 1000) % MINUTE).toBe(0);
    expect(nothingYet).toEqual([]);
    expect(nextMinute).toHaveLength(1);
  });

  it('on a jump, lets a queue message whose visibility timeout ended before an occurrence be handled before that occurrence fires', async () => {
    const handled: string[] = [];
    const queue = new LocalQueue({
      functionName: 'settlement',
      trigger: {
        kind: 'queue',
        queue: 'mail-settlement',
        bus: 'default',
        pattern: { source: ['aws.ses'] },
        batchSize: 10,
        batchingWindowSeconds: 0,
        deliveryDelaySeconds: 0,
        visibilityTimeoutSeconds: 120,
        maxReceiveCount: 5,
        maxConcurrency: 5,
      },
      // The first receive fails, so the message waits out its visibility timeout (2 minutes).
      invoke: async (_, event) => {
        if (event.Records[0].attributes.ApproximateReceiveCount === '1') throw new Error('first try fails');
        handled.push(event.Records[0].body);
        return {};
      },
      faults: new Faults(),
      account: '000000000000',
      region: 'us-east-1',
      pollIntervalMs: 10,
    });
    queue.start();
    try {
      const seenBySweep: string[][] = [];
      const { client, scheduler } = await startScheduler(
        async () => {
          seenBySweep.push([...handled]);
        },
        () => queue.whenIdle(),
      );
      queue.send('Email Sent');
      await queue.whenIdle();
      await client.send(
        new CreateScheduleCommand(aSchedule({ Name: 'stale-sweep', ScheduleExpression: 'rate(1 minute)' })),
      );

      await scheduler.advanceTo(new Date(clock.now().getTime() + 30 * MINUTE));

      expect(seenBySweep).toEqual([['Email Sent']]);
    } finally {
      queue.stop();
    }
  });

  it('fires everything due in time order, ties by name, with the clock at each occurrence', async () => {
    const seen: { detailType: string; now: number }[] = [];
    const { client, scheduler } = await startScheduler(async (target) => {
      seen.push({ detailType: target.detailType, now: Date.now() });
    });
    const early = minutesAhead(60);
    const late = minutesAhead(120);
    const event = (DetailType: string) => ({
      ...aSchedule().Target!,
      EventBridgeParameters: { DetailType, Source: 's' },
    });
    await client.send(
      new CreateScheduleCommand(
        aSchedule({ Name: 'c', ScheduleExpression: `at(${late.wall})`, Target: event('Late') }),
      ),
    );
    await client.send(
      new CreateScheduleCommand(
        aSchedule({ Name: 'b', ScheduleExpression: `at(${early.wall})`, Target: event('Early B') }),
      ),
    );
    await client.send(
      new CreateScheduleCommand(
        aSchedule({ Name: 'a', ScheduleExpression: `at(${early.wall})`, Target: event('Early A') }),
      ),
    );

    const fired = await scheduler.advanceTo(new Date(late.instant + MINUTE));

    expect(fired.map((f) => f.name)).toEqual(['a', 'b', 'c']);
    expect(seen.map((s) => s.detailType)).toEqual(['Early A', 'Early B', 'Late']);
    expect(seen[0].now - early.instant).toBeGreaterThanOrEqual(0);
    expect(seen[0].now - early.instant).toBeLessThan(1000);
    expect(clock.now().getTime()).toBeGreaterThanOrEqual(late.instant + MINUTE);
  });

  it("puts every schedule due at one instant on the bus before it waits for the work of any, as Scheduler invokes one minute's schedules together", async () => {
    const steps: string[] = [];
    const { client, scheduler } = await startScheduler(
      async (target) => {
        steps.push(`put ${target.detailType}`);
      },
      undefined,
      {
        settle: async () => {
          steps.push('settle');
        },
      },
    );
    const due = minutesAhead(30);
    const later = minutesAhead(31);
    const event = (DetailType: string) => ({
      ...aSchedule().Target!,
      EventBridgeParameters: { DetailType, Source: 's' },
    });
    for (const [Name, at, DetailType] of [
      ['a', due, 'A'],
      ['b', due, 'B'],
      ['c', later, 'C'],
    ] as const) {
      await client.send(
        new CreateScheduleCommand(
          aSchedule({ Name, ScheduleExpression: `at(${at.wall})`, Target: event(DetailType) }),
        ),
      );
    }

    await scheduler.advanceTo(new Date(later.instant));

    // a and b at 10:30 run together (their handlers race, as on AWS); c a minute later waits for them.
    expect(steps).toEqual(['put A', 'put B', 'settle', 'put C', 'settle']);
  });

  it('deletes a recurring schedule with ActionAfterCompletion DELETE after its last invocation before its EndDate, and keeps one without an EndDate', async () => {
    const { client, scheduler } = await startScheduler();
    const start = minutesAhead(60);
    await client.send(
      new CreateScheduleCommand(
        aSchedule({
          Name: 'three-hours',
          StartDate: new Date(start.instant),
          EndDate: new Date(start.instant + 150 * MINUTE),
          ActionAfterCompletion: 'DELETE',
        }),
      ),
    );
    await client.send(
      new CreateScheduleCommand(aSchedule({ Name: 'for-ever', ActionAfterCompletion: 'DELETE' })),
    );

    const beforeLast = await scheduler.advanceTo(new Date(start.instant + 60 * MINUTE));
    const stillThere = await client.send(new GetScheduleCommand({ Name: 'three-hours' }));
    const last = await scheduler.advanceTo(new Date(start.instant + 120 * MINUTE));
    const gone = await failure(client.send(new GetScheduleCommand({ Name: 'three-hours' })));
    const kept = await client.send(new GetScheduleCommand({ Name: 'for-ever' }));

    expect(beforeLast.filter((f) => f.name === 'three-hours')).toHaveLength(1);
    expect(stillThere.Name).toBe('three-hours');
    expect(last.filter((f) => f.name === 'three-hours')).toEqual([
      expect.objectContaining({ scheduledFor: new Date(start.instant + 120 * MINUTE).toISOString() }),
    ]);
    expect(gone).toBeInstanceOf(ResourceNotFoundException);
    expect(kept.Name).toBe('for-ever');
  });

  it("does not let the work of a firing's event that never settles (a target that keeps failing) hold the clock: it waits settleWithinMs, then fires on", async () => {
    const { client, scheduler, sent } = await startScheduler(undefined, undefined, {
      // A queue rule's target retrying for hours, as whenIdle would wait for it.
      settle: () => new Promise<void>(() => {}),
      settleWithinMs: 50,
    });
    const early = minutesAhead(10);
    const late = minutesAhead(20);
    for (const [Name, due] of [
      ['early', early],
      ['late', late],
    ] as const) {
      await client.send(
        new CreateScheduleCommand(aSchedule({ Name, ScheduleExpression: `at(${due.wall})` })),
      );
    }

    const fired = await scheduler.advanceTo(new Date(late.instant + MINUTE));

    expect(fired.map((f) => [f.name, f.error])).toEqual([
      ['early', undefined],
      ['late', undefined],
    ]);
    expect(sent).toHaveLength(2);
  });

  it('records a failed putEvents and carries on with the next schedule', async () => {
    const { client, scheduler } = await startScheduler(async (target) => {
      if (target.detailType === 'Broken') throw new Error('bus is down');
    });
    const due = minutesAhead(10);
    const broken = { ...aSchedule().Target!, EventBridgeParameters: { DetailType: 'Broken', Source: 's' } };
    await client.send(
      new CreateScheduleCommand(
        aSchedule({ Name: 'a', ScheduleExpression: `at(${due.wall})`, Target: broken }),
      ),
    );
    await client.send(
      new CreateScheduleCommand(aSchedule({ Name: 'b', ScheduleExpression: `at(${due.wall})` })),
    );

    const fired = await scheduler.advanceTo(new Date(due.instant));

    expect(fired).toEqual([
      expect.objectContaining({ name: 'a', error: 'bus is down' }),
      expect.not.objectContaining({ error: expect.anything() }),
    ]);
  });

  it("retries a failing target as its RetryPolicy says, then puts the event in the schedule's dead-letter queue, which a redrive puts on the bus", async () => {
    let failing = true;
    const { client, scheduler, sent } = await startScheduler(async (target) => {
      if (failing && target.detailType === 'Release Day Reached')
        throw new Error('NotAuthorizedForSourceException');
    });
    const due = minutesAhead(10);
    const deadLetterArn = 'arn:aws:sqs:us-east-1:000000000000:backline-schedule-dead-letters';
    await client.send(
      new CreateScheduleCommand(
        aSchedule({
          Name: 'with-dlq',
          ScheduleExpression: `at(${due.wall})`,
          Target: {
            ...aSchedule().Target!,
            DeadLetterConfig: { Arn: deadLetterArn },
            RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 },
          },
        }),
      ),
    );
    await client.send(
      new CreateScheduleCommand(
        aSchedule({
          Name: 'without-dlq',
          ScheduleExpression: `at(${due.wall})`,
          Target: { ...aSchedule().Target!, RetryPolicy: { MaximumRetryAttempts: 0 } },
        }),
      ),
    );

    const fired = await scheduler.advanceTo(new Date(due.instant));

    expect(fired).toEqual([
      expect.objectContaining({ name: 'with-dlq', error: 'NotAuthorizedForSourceException', attempts: 3 }),
      expect.objectContaining({ name: 'without-dlq', error: 'NotAuthorizedForSourceException', attempts: 1 }),
    ]);
    expect(sent.map((target) => target.detailType)).toHaveLength(4);
    expect(scheduler.deadLetters()).toEqual([
      expect.objectContaining({
        deadLetterArn,
        name: 'with-dlq',
        scheduledFor: new Date(due.instant).toISOString(),
        attempts: 3,
        error: 'NotAuthorizedForSourceException',
        target: expect.objectContaining({ detailType: 'Release Day Reached', source: 'backline.scheduler' }),
      }),
    ]);

    failing = false;
    expect(await scheduler.redrive()).toEqual({ redriven: 1, failed: 0 });
    expect(scheduler.deadLetters()).toEqual([]);
    expect(sent).toHaveLength(5);
  });

  it('never fires an occurrence twice when the timer and advanceTo run together', async () => {
    const { client, scheduler, sent } = await startScheduler(
      () => new Promise((resolve) => setTimeout(resolve, 50)),
    );
    const due = minutesAhead(5);
    await client.send(new CreateScheduleCommand(aSchedule({ ScheduleExpression: `at(${due.wall})` })));
    scheduler.start();

    const results = await Promise.all([
      scheduler.advanceTo(new Date(due.instant)),
      scheduler.advanceTo(new Date(due.instant + 1)),
      new Promise((resolve) => setTimeout(resolve, 1200)),
    ]);

    expect(results[0].length + results[1].length).toBe(1);
    expect(sent).toHaveLength(1);
  });

  it('lets the timer fire what falls due as the clock runs on its own', async () => {
    const { client, scheduler, sent } = await startScheduler();
    const due = new Date(Math.floor(clock.now().getTime() / 1000) * 1000 + 1000);
    const wall = due.toISOString().slice(0, 19);
    await client.send(new CreateScheduleCommand(aSchedule({ ScheduleExpression: `at(${wall})` })));

    scheduler.start();
    // Waits for the firing however slow the machine, then two more of the timer's one-second checks.
    for (let waited = 0; sent.length === 0 && waited < 20_000; waited += 100) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await new Promise((resolve) => setTimeout(resolve, 2_100));

    expect(sent).toHaveLength(1);
  });
});

describe('persistence', () => {
  it('restores schedules and their firing state in a new scheduler over the same file', async () => {
    const first = await startScheduler();
    const due = minutesAhead(15);
    await first.client.send(new CreateScheduleGroupCommand({ Name: 'releases' }));
    await first.client.send(
      new CreateScheduleCommand(aSchedule({ Name: 'fired', ScheduleExpression: `at(${due.wall})` })),
    );
    await first.client.send(
      new CreateScheduleCommand(
        aSchedule({
          Name: 'pending',
          GroupName: 'releases',
          ScheduleExpression: `at(${minutesAhead(60).wall})`,
        }),
      ),
    );
    await first.scheduler.advanceTo(new Date(due.instant));
    await first.close();

    const second = await startScheduler();
    const listed = await second.client.send(new ListSchedulesCommand({}));
    const group = await second.client.send(new GetScheduleGroupCommand({ Name: 'releases' }));
    const fired = await second.scheduler.advanceTo(new Date(due.instant + 2 * 60 * MINUTE));

    expect(listed.Schedules?.map((s) => `${s.GroupName}/${s.Name}`)).toEqual([
      'default/fired',
      'releases/pending',
    ]);
    expect(group.Name).toBe('releases');
    expect(fired.map((f) => f.name)).toEqual(['pending']);
  });

  const linesOf = () => readFileSync(file, 'utf8').split('\n').filter(Boolean).length;

  it('writes one line per change, however many schedules there are, and starts again from a compact file', async () => {
    const first = await startScheduler();
    const before = linesOf();
    for (let i = 0; i < 30; i++) {
      await first.client.send(
        new CreateScheduleCommand(
          aSchedule({ Name: `s${i}`, ScheduleExpression: `at(${minutesAhead(60).wall})` }),
        ),
      );
    }
    const afterCreates = linesOf();
    await first.client.send(new DeleteScheduleCommand({ Name: 's0' }));
    const afterDelete = linesOf();
    await first.close();

    const second = await startScheduler();
    const listed = await second.client.send(new ListSchedulesCommand({}));

    expect([afterCreates - before, afterDelete - afterCreates]).toEqual([30, 1]);
    expect(listed.Schedules).toHaveLength(29);
    // The default group and 29 schedules, one line each.
    expect(linesOf()).toBe(30);
  });

  it('carries over a data folder written before the journal (one JSON document of the whole state)', async () => {
    const stored = {
      name: 'old',
      groupName: 'default',
      scheduleExpression: `at(${minutesAhead(60).wall})`,
      timeZone: 'UTC',
      state: 'ENABLED',
      target: {
        Arn: BUS_ARN,
        RoleArn: 'arn:aws:iam::000000000000:role/scheduler',
        EventBridgeParameters: { DetailType: 'Release Day', Source: 'backline.scheduler' },
      },
      flexibleTimeWindow: { Mode: 'OFF' },
      actionAfterCompletion: 'NONE',
      creationDate: clock.now().getTime(),
      lastModificationDate: clock.now().getTime(),
      windowStart: clock.now().getTime(),
    };
    writeFileSync(
      join(directory, 'schedules.json'),
      JSON.stringify({ version: 1, groups: [], schedules: [stored] }),
    );

    const { client } = await startScheduler();
    const fetched = await client.send(new GetScheduleCommand({ Name: 'old' }));

    expect(fetched.Name).toBe('old');
    expect(existsSync(join(directory, 'schedules.json'))).toBe(false);
  });
});

describe('ensureSchedule', () => {
  it('creates a schedule by name, then updates it, without going through HTTP', async () => {
    const { client, scheduler } = await startScheduler();

    const created = scheduler.ensureSchedule(
      aSchedule({ Name: 'outbox-sweep', ScheduleExpression: 'rate(1 minute)' }),
    );
    const unchanged = scheduler.ensureSchedule(
      aSchedule({ Name: 'outbox-sweep', ScheduleExpression: 'rate(1 minute)' }),
    );
    scheduler.ensureSchedule(aSchedule({ Name: 'outbox-sweep', ScheduleExpression: 'rate(5 minutes)' }));
    const fetched = await client.send(new GetScheduleCommand({ Name: 'outbox-sweep' }));

    expect(created.ScheduleArn).toBe(
      'arn:aws:scheduler:us-east-1:000000000000:schedule/default/outbox-sweep',
    );
    expect(unchanged).toEqual(created);
    expect(fetched.ScheduleExpression).toBe('rate(5 minutes)');
    expect(() => scheduler.ensureSchedule(aSchedule({ ScheduleExpression: 'rate(0 minutes)' }))).toThrow(
      /ScheduleExpression/,
    );
  });
});
