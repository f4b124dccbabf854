import { describe, expect, it } from 'vitest';
import { takeStep } from '#functions/tours/steps.ts';
import { listKept } from '#shared/db/context-lists.ts';
import { announcedShow as announced, dePressFiringOf, setShow } from '#test/support/tours.ts';

/**
 * Show-1's press announcement taken by two invocations at once (its event delivered twice). The first
 * claims the German outlet's mail; the second reads the notes (none yet), writes the same mail and
 * finds it claimed. SES refuses the first's mail for good (MESSAGE_REJECTED): the first notes the
 * outlet with that mail's set and ends the step. The second reads that the mail did not reach SES and
 * that no new attempt spent it, then waits before its note. Show-2 is booked in Germany and its
 * announcement step runs: it reads the note naming a set that ended failed, counts the outlet told
 * nothing of show-1, spends that set and announces show-1 and show-2 as a new attempt, then notes both
 * told. Then the second notes the outlet told show-1 by the refused mail, which would hide the new
 * attempt's word: the note is refused (show-1's note is no longer as the second read it), and the second,
 * reading the notes again, finds the outlet told show-1 and leaves that word standing. Show-3 is booked
 * after: the outlet's notes hold what it was told, so it is one update of show-3 alone
 * (docs/design.md#tours).
 */
describe('a press mail refused by SES, noted by a retry after a new attempt told its show', () => {
  it('announces show-1 to the German outlet once, its last word show-3', async () => {
    const { now, fakes, deps, mailer, firing } = await dePressFiringOf(announced);
    const take = () => takeStep(firing, { correlationId: 'c' }, deps);
    // The second waits at its read of what reached SES until the first has ended, and after its read
    // of the claims until show-2's step has ended.
    const [reached, claimsOf] = [mailer.reached, mailer.claimsOf];
    let secondAtReached: () => void = () => {};
    const atReached = new Promise<void>((resolve) => (secondAtReached = resolve));
    let firstEnded: () => void = () => {};
    const ended = new Promise<void>((resolve) => (firstEnded = resolve));
    let secondRead: () => void = () => {};
    const read = new Promise<void>((resolve) => (secondRead = resolve));
    let show2Ended: () => void = () => {};
    const show2Told = new Promise<void>((resolve) => (show2Ended = resolve));
    let second: Promise<unknown> | undefined;
    let secondReaching = true;
    mailer.reached = async (mails) => {
      if (!secondReaching) return reached(mails);
      secondReaching = false;
      secondAtReached();
      await ended;
      return reached(mails);
    };
    let firstClaims = true;
    mailer.claimsOf = async (mails) => {
      if (firstClaims) {
        firstClaims = false;
        return claimsOf(mails);
      }
      const answer = await claimsOf(mails);
      secondRead();
      await show2Told;
      return answer;
    };
    mailer.ses.script = async (mail) => {
      if (second) return undefined as never;
      second = take();
      await atReached;
      return mail.entries.map(() => ({ status: 'MESSAGE_REJECTED' as const }));
    };
    await take();
    mailer.ses.script = undefined;
    firstEnded();
    await read;
    await setShow({ now, deps, fakes }, { ...announced, showId: 'show-2', date: '2027-05-22' });
    show2Ended();
    await second;
    mailer.reached = reached;
    mailer.claimsOf = claimsOf;

    await setShow({ now, deps, fakes }, { ...announced, showId: 'show-3', date: '2027-05-29' });

    // Each press mail the module sent the outlet (SES took it), by the shows it told of: show-1 in one.
    const told = mailer.sent
      .filter((mail) => mail.to.email === 'de@press.example')
      .map((mail) => listKept(mail.context.news));
    expect(told.filter((news) => news.includes('show-1'))).toHaveLength(1);
    expect(told).toEqual([['show-1', 'show-2'], ['show-3']]);
  });
});
