import { describe, expect, it } from 'vitest';
import { applyShowChange } from '#functions/tours/apply-change.ts';
import { takeStep } from '#functions/tours/steps.ts';
import { listKept } from '#shared/db/context-lists.ts';
import { MailerError } from '#shared/mail/ports.ts';
import {
  announcedShow as announced,
  dePressFiringOf,
  metaAt,
  raceAt,
  runDueSteps,
  setShow,
} from '#test/support/tours.ts';

/**
 * The staging both cases share: the first invocation's SES call fails once the second has found its
 * mail claimed, and the second waits, before its note, for `goOn`.
 */
async function givenBackWhileNoted() {
  const { now, fakes, deps, mailer, firing } = await dePressFiringOf(announced);
  const take = () => takeStep(firing, { correlationId: 'c' }, deps);

  // The second invocation waits once it has read whether the mail it found claimed reached SES.
  const reached = mailer.reached;
  let waiting: () => void = () => {};
  const atNote = new Promise<void>((resolve) => (waiting = resolve));
  let goOn: () => void = () => {};
  const noting = new Promise<void>((resolve) => (goOn = resolve));
  mailer.reached = async (mails) => {
    const answer = await reached(mails);
    waiting();
    await noting;
    return answer;
  };
  let second: Promise<unknown> | undefined;
  mailer.ses.script = async () => {
    if (second) return undefined as never;
    second = take();
    await atNote;
    return new MailerError('refused', 'SendBulkEmail failed: the call was not taken');
  };
  await expect(take()).rejects.toThrow();
  mailer.ses.script = undefined;
  mailer.reached = reached;
  return { now, fakes, take, second: second!, goOn };
}

/**
 * Show-1's press announcement taken by two invocations at once (its event delivered twice). The first
 * claims the German outlet's mail; the second finds it claimed and, before it notes the outlet with
 * that mail's set, waits. The first's SES call fails: its claim is given back unsent and it fails. Its
 * retry reads the notes (none yet) and is about to claim the same mail again when the second notes the
 * set and goes on to the step's end, and show-2 is booked in Germany and its announcement step runs:
 * it reads a note naming a set with no claim behind it (given back), counts the outlet told nothing
 * of show-1, spends that set and announces show-1 and show-2 as a new attempt. Then the retry's claim of
 * its mail is refused (spent), and it notes nothing of it. Or the retry claims its mail again first: the
 * spending is refused, and show-2's step, reading the notes afresh, counts that claim and tells show-2
 * alone (docs/design.md#tours).
 */
describe('a press claim given back, its set noted by another invocation before the retry claims it again', () => {
  it('announces show-1 to the German outlet once', async () => {
    const { now, fakes, take, second, goOn } = await givenBackWhileNoted();
    const { deps, mailer } = fakes;

    // The retry: between its read of the notes and its claim, the second notes the set and ends, and
    // show-2's announcement step runs.
    const race = raceAt(mailer, 'send', async () => {
      goOn();
      await second;
      await setShow({ now, deps, fakes }, { ...announced, showId: 'show-2', date: '2027-05-22' });
    });
    await take();
    expect(race.raced()).toBe(true);
    // The outlet's notes hold what it was told: a show booked later is one update, of it alone.
    await setShow({ now, deps, fakes }, { ...announced, showId: 'show-3', date: '2027-05-29' });

    // Each press mail the module sent the outlet (SES took it), by the shows it told of: show-1 in one.
    const told = mailer.sent
      .filter((mail) => mail.to.email === 'de@press.example')
      .map((mail) => listKept(mail.context.news));
    expect(told.filter((news) => news.includes('show-1'))).toHaveLength(1);
    expect(told.at(-1)).toEqual(['show-3']);
  });

  it("announces show-1 once when the retry claims it again before show-2's step spends it", async () => {
    const { now, fakes, take, second, goOn } = await givenBackWhileNoted();
    const { deps, mailer } = fakes;

    // The retry: the second notes the set and ends, show-2's announcement step reads that note (its set
    // given back) and, before it spends that set, the retry claims it again and sends it.
    const spend = mailer.spend;
    let claimedAgain: () => void = () => {};
    const retried = new Promise<void>((resolve) => (claimedAgain = resolve));
    let spending = 0;
    mailer.spend = async (mails) => {
      if (spending++ === 0) await retried;
      return spend(mails);
    };
    const send = mailer.send.bind(mailer);
    let show2: Promise<unknown> | undefined;
    mailer.send = async (mails, leftOut) => {
      if (show2) return send(mails, leftOut);
      goOn();
      await second;
      await applyShowChange(
        'tour-1',
        { type: 'set', show: { ...announced, showId: 'show-2', date: '2027-05-22' } },
        metaAt(now.value.toISOString()),
        deps,
      );
      show2 = runDueSteps(fakes, now);
      const sent = await send(mails, leftOut);
      claimedAgain();
      await show2;
      return sent;
    };
    await take();

    // Show-2's step found the set claimed again: it read the notes afresh and told the outlet of show-2 alone.
    expect(spending).toBe(1);
    const told = mailer.sent
      .filter((mail) => mail.to.email === 'de@press.example')
      .map((mail) => listKept(mail.context.news));
    expect(told).toEqual([['show-1'], ['show-2']]);
  });
});
