import { describe, expect, it } from 'vitest';
import { sendMailing } from '#functions/announcer/mailing.ts';
import { derivedEventId } from '#shared/db/keys.ts';
import { announce, detailOf, type FakeWorld, fakeWorld, far } from '#test/support/announcer-fakes.ts';
import { aStoredRelease, outlets } from '#test/support/releases.ts';

/**
 * Lambda runs a mailing's invocation again when it failed after its handler returned (or EventBridge
 * delivers its Mailing Requested twice): the retry must state no second fact (with its own counts, sent
 * 0) and ask no second continuation (docs/design.md#the-outbox).
 */
const trigger = { correlationId: 'corr-1', eventId: '0c4f2d8e-1b7a-4c55-9e0d-3a6b5f7c8d91' };

const factsOf = (world: FakeWorld) =>
  world.published.filter((e) => e.detailType === 'Release Announced').map((e) => detailOf(e));
const asked = (world: FakeWorld) => world.published.filter((e) => e.detailType === 'Mailing Requested');

/** Each page's SES call takes a minute, so a 30 s deadline continues after every page. */
function slowWorld() {
  const world = fakeWorld({ releases: [aStoredRelease()], outlets: outlets(20), pageSize: 10 });
  const send = world.deps.mailer.sendBulk;
  world.deps.mailer.sendBulk = async (mail) => {
    world.clock.now += 60_000;
    return send(mail);
  };
  return world;
}

describe('a mailing whose invocation is run again after it returned', () => {
  it("states its fact once, with the mailing's counts, under an id derived from its Mailing Requested", async () => {
    const world = fakeWorld({ releases: [aStoredRelease()], outlets: outlets(3) });

    const first = await sendMailing(announce, trigger, world.deps, far());
    const retry = await sendMailing(announce, trigger, world.deps, far());

    expect(first).toEqual({ status: 'completed', sent: 3, skipped: 0 });
    expect(retry).toEqual({ status: 'repeated' });
    expect(world.mailer.delivered).toHaveLength(3);
    expect(factsOf(world)).toEqual([
      {
        metadata: expect.objectContaining({
          eventId: derivedEventId(trigger.eventId, 'Release Announced'),
          correlationId: 'corr-1',
        }),
        data: { labelId: announce.labelId, releaseId: announce.releaseId, sent: 3, skipped: 0 },
      },
    ]);
  });

  it('asks its continuation once, and the mailing states one fact counting every mail', async () => {
    const world = slowWorld();

    const first = await sendMailing(announce, trigger, world.deps, world.clock.now + 30_000);
    const retry = await sendMailing(announce, trigger, world.deps, world.clock.now + 30_000);
    const [continuation, ...more] = asked(world);
    const next = detailOf(continuation);
    const last = await sendMailing(next.data, next.metadata, world.deps, far());

    expect([first.status, retry.status, last.status]).toEqual(['continued', 'repeated', 'completed']);
    expect(more).toEqual([]);
    expect(next.metadata.eventId).toBe(
      derivedEventId(trigger.eventId, 'Mailing Requested', next.data.cursor),
    );
    expect(world.mailer.delivered).toHaveLength(20);
    expect(factsOf(world).map((fact) => fact.data)).toEqual([expect.objectContaining({ sent: 20 })]);
  });

  it("states the request's counts when the retry follows a run that sent its mails and failed before taking its step", async () => {
    const world = fakeWorld({ releases: [aStoredRelease()], outlets: outlets(3) });
    const take = world.deps.steps.take;
    world.deps.steps.take = async () => {
      throw new Error('TransactWriteItems failed');
    };
    await expect(sendMailing(announce, trigger, world.deps, far())).rejects.toThrow();
    world.deps.steps.take = take;

    const retry = await sendMailing(announce, trigger, world.deps, far());

    // The retry sent nothing (the first run's claims pass the outlets), and states what the request sent.
    expect(retry).toEqual({ status: 'completed', sent: 3, skipped: 0 });
    expect(world.mailer.delivered).toHaveLength(3);
    expect(factsOf(world).map((fact) => fact.data)).toEqual([expect.objectContaining({ sent: 3 })]);
  });
});
