import { describe, expect, it } from 'vitest';
import { applyShowChange, bookTour } from '#functions/tours/apply-change.ts';
import { takeStep } from '#functions/tours/steps.ts';
import { MailerError } from '#shared/mail/ports.ts';
import { pressGatherSeconds } from '#shared/tours.ts';
import {
  aPressOutlet,
  aShow,
  fakeToursDeps,
  metaAt,
  runDueSteps,
  takeStepsWritten,
  tourOf,
} from '#test/support/tours.ts';

const announced = aShow({ status: 'announced', announceAt: '2027-02-01T09:00:00.000Z' });

/**
 * Show-1's press announcement taken by two invocations at once (its event delivered twice). The first
 * claims the German outlet's mail; the second finds it claimed and, before it notes the outlet with
 * that mail's set, waits. The first's SES call fails: its claim is given back unsent and it fails. Its
 * retry reads the notes (none yet) and is about to claim the same mail again when the second notes the
 * set and goes on to the step's end, and show-2 is booked in Germany and its announcement step runs:
 * it reads a note naming a set with no claim behind it (given back), counts the outlet told nothing
 * of show-1, and announces show-1 and show-2 as a new attempt. Then the retry claims its mail, free
 * since it was given back, and sends it: show-1 announced to the outlet twice (docs/design.md#tours).
 */
describe('a press claim given back, its set noted by another invocation before the retry claims it again', () => {
  it.fails('announces show-1 to the German outlet once', async () => {
    const now = { value: new Date('2027-02-02T00:00:00Z') };
    const fakes = fakeToursDeps(now);
    const { deps, schedules, mailer } = fakes;
    fakes.outlets.push(aPressOutlet('de', ['DE']));
    await bookTour({ ...tourOf([announced]), genres: ['synthpop'] }, metaAt(now.value.toISOString()), deps);
    await takeStepsWritten(fakes);
    now.value = new Date(now.value.getTime() + (pressGatherSeconds + 60) * 1000);
    const [firing] = schedules.firing(now.value).filter((due) => due.step === 'press-announcement');
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

    // The retry: between its read of the notes and its claim, the second notes the set and ends, and
    // show-2's announcement step runs.
    const send = mailer.send.bind(mailer);
    let raced = false;
    mailer.send = async (mails, leftOut) => {
      if (!raced) {
        raced = true;
        goOn();
        await second;
        await applyShowChange(
          'tour-1',
          { type: 'set', show: { ...announced, showId: 'show-2', date: '2027-05-22' } },
          metaAt(now.value.toISOString()),
          deps,
        );
        await runDueSteps(fakes, now);
      }
      return send(mails, leftOut);
    };
    await take();
    expect(raced).toBe(true);

    // Each press mail the module sent the outlet (SES took it), by the shows it told of: show-1 in one.
    const told = mailer.sent
      .filter((mail) => mail.to.email === 'de@press.example')
      .map((mail) => mail.context.news);
    expect(told.filter((news) => news?.split(',').includes('show-1'))).toHaveLength(1);
  });
});
