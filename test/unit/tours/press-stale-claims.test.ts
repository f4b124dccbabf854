import { describe, expect, it } from 'vitest';
import { applyShowChange } from '#functions/tours/apply-change.ts';
import { sweepStaleTourMail } from '#functions/tours/resend.ts';
import { timeoutSeconds } from '#infra/function-settings.ts';
import { settleFromEmailsSent } from '#shared/mail/email-sent.ts';
import { defaultMailSettings } from '#shared/mail/ports.ts';
import { emailSent } from '#test/support/announcer-fakes.ts';
import {
  announcedShow as announced,
  announcedWithAnswersLost,
  aShow,
  cancelledAndOnAgainAnswersLost,
  changeAt,
  kindsToldDe,
  lostAnswers,
  metaAt,
  pressAnnouncementSentAnswerLost,
  retimedAnswerLost,
  runDueSteps,
  stepsWritten,
  takeStepsWritten,
  toldDePressOf,
} from '#test/support/tours.ts';

/** The venue of `announced`, moved to Paris. */
const paris = { ...announced.venue, city: 'Paris', country: 'FR', timeZone: 'Europe/Paris' };

/**
 * The German outlet told of `announced` (toldDePressOf); an hour later its doors change to 20:00 (the
 * outlet's "Changed" mail claimed, SES's answer lost); a minute later the show moves to Paris (the outlet
 * hears "Moved", and Germany's press is forgotten for the show). Each change's steps taken.
 */
async function retimedAnswerLostThenMoved() {
  const told = await toldDePressOf(announced);
  const { now, fakes, deps } = told;
  const retimed = await retimedAnswerLost(told, announced);
  now.value = new Date(now.value.getTime() + 60_000);
  await applyShowChange(
    'tour-1',
    { type: 'set', show: { ...retimed, venue: paris } },
    metaAt(now.value.toISOString()),
    deps,
  );
  await takeStepsWritten(fakes);
  return told;
}

/**
 * The German outlet told of `announced` (toldDePressOf); an hour later the show moves to Paris: the
 * outlet's "Moved" mail is claimed, SES's answer lost (nothing sent). The change's steps taken.
 */
async function movedToParisAnswerLost() {
  const told = await toldDePressOf(announced);
  const { now, fakes, deps, mailer } = told;
  now.value = new Date(now.value.getTime() + 3600_000);
  mailer.ses.script = lostAnswers;
  await applyShowChange(
    'tour-1',
    { type: 'set', show: { ...announced, venue: paris } },
    metaAt(now.value.toISOString()),
    deps,
  );
  await takeStepsWritten(fakes);
  mailer.ses.script = undefined;
  return told;
}

/** A day later (the announcement's claim stale by then), the label cancels show-1: the steps it writes taken. */
async function cancelShow1ADayLater(now: { value: Date }, fakes: Parameters<typeof takeStepsWritten>[0]) {
  now.value = new Date(now.value.getTime() + 24 * 3600_000);
  await applyShowChange(
    'tour-1',
    { type: 'cancel', showId: 'show-1' },
    metaAt(now.value.toISOString()),
    fakes.deps,
  );
  await takeStepsWritten(fakes);
}

/** What an outlet is told when press mails' claims go stale: the sweep, the notes' before chain (docs/design.md#tours). */
describe('press notes: a stale claim closed still tells what stands, a bounded before chain, no stale announcement of a cancelled show', () => {
  const toldDePress = () => toldDePressOf(announced);

  it('a cancellation and its "back on" with other facts both left claimed (answers lost): the outlet is still told the new facts', async () => {
    // Cancelled, then set on again minutes later, with doors at 20:00: the cancellation's claim is open and fresh.
    const moved = { ...announced, times: { ...announced.times, doors: '20:00' } };
    const { now, fakes, deps, mailer } = await cancelledAndOnAgainAnswersLost(announced, moved);

    // Neither mail reached SES (no Email Sent): both claims go stale and the sweep runs.
    now.value = new Date(now.value.getTime() + 24 * 3600_000);
    const swept = await sweepStaleTourMail(deps, now.value.getTime() + 60_000);
    // Both stale claims are closed unsent (the 'Cancelled' and the 'Back on'); no 'Changed' exists to send.
    expect(swept).toEqual({ resent: 0, closed: 2 });
    // Nothing else happens to the show: any later step there is (none is due for press).
    await takeStepsWritten(fakes);

    const press = kindsToldDe(mailer.ses);
    // It was told doors at 19:00 (the announcement); the show stands with doors at 20:00. Some mail must say so.
    expect(press.filter((kind) => kind !== 'press-announcement')).not.toEqual([]);
  });

  it("a note's `before` chain stays within DynamoDB's 32 levels of nesting when its older mails' claims are long stale", async () => {
    const { now, fakes, deps, mailer, tours } = await toldDePress();
    // SES's answers are lost for a while (timeouts); the label keeps adjusting the doors, 20 minutes
    // apart (within the stale window of the change just before, long past that of the earlier ones).
    mailer.ses.script = lostAnswers;
    const start = new Date('2027-02-03T00:00:00Z').getTime();
    for (let change = 0; change < 40; change++) {
      const at = new Date(start + change * 20 * 60_000);
      now.value = at;
      const doors = `19:${String(change + 10).padStart(2, '0')}`;
      await applyShowChange(
        'tour-1',
        { type: 'set', show: { ...announced, times: { ...announced.times, doors } } },
        metaAt(at.toISOString()),
        deps,
      );
      await takeStepsWritten(fakes);
    }
    const depthOf = (statement: unknown): number =>
      statement && typeof statement === 'object' && 'before' in statement
        ? 1 + depthOf((statement as { before: unknown }).before)
        : 0;
    const told = [...tours.told.values()].find((t) => t.email === 'de@press.example');
    // stated:<showId> is a map at level 1; each `before` one more: DynamoDB refuses an item nested deeper than 32.
    expect(depthOf(told?.stated?.['show-1'])).toBeLessThan(31);
  });

  it('an announcement left claimed, the show cancelled after its claim went stale: the sweep does not announce the cancelled show with no word of its cancellation', async () => {
    const { now, fakes, deps, mailer, tours } = await announcedWithAnswersLost([announced]);
    stepsWritten(tours);

    // The announcement's claim goes stale; before the sweep's next run the label cancels the show.
    await cancelShow1ADayLater(now, fakes);
    await sweepStaleTourMail(deps, now.value.getTime() + 60_000);

    const press = kindsToldDe(mailer.ses);
    // Told nothing (the cancellation skipped it as never announced to), then announced a cancelled show.
    expect(press).not.toEqual(['press-announcement']);
  });

  it('a stale announcement of two shows, one cancelled since: the sweep announces the other alone, and its notes count it as told', async () => {
    const other = aShow({ ...announced, showId: 'show-2', date: '2027-05-16' });
    const { now, fakes, deps, mailer, tours } = await announcedWithAnswersLost([announced, other]);
    stepsWritten(tours);

    await cancelShow1ADayLater(now, fakes);
    expect(await sweepStaleTourMail(deps, now.value.getTime() + 60_000)).toEqual({ resent: 0, closed: 1 });
    // One announcement, of the show still on (its mail names each show it lists: city and date).
    expect(kindsToldDe(mailer.ses)).toEqual(['press-announcement']);
    const sheet = JSON.stringify(mailer.ses.calls.at(-1));
    expect([sheet.includes('Berlin 2027-05-16'), sheet.includes('Berlin 2027-05-14')]).toEqual([true, false]);

    // The show announced is then retimed: the outlet, told of it, hears the change.
    const at = new Date(now.value.getTime() + 3600_000);
    now.value = at;
    const retimed = { ...other, times: { ...other.times, doors: '20:00' } };
    await applyShowChange('tour-1', { type: 'set', show: retimed }, metaAt(at.toISOString()), deps);
    await takeStepsWritten(fakes);
    expect(kindsToldDe(mailer.ses)).toEqual(['press-announcement', 'press-change']);
  });

  it('a stale announcement of two shows, one moved to France since: the sweep announces the other alone, after the move', async () => {
    const other = aShow({ ...announced, showId: 'show-2', date: '2027-05-16' });
    const { now, fakes, deps, mailer, tours } = await announcedWithAnswersLost([announced, other]);
    stepsWritten(tours);

    now.value = new Date(now.value.getTime() + 24 * 3600_000);
    await applyShowChange(
      'tour-1',
      { type: 'set', show: { ...announced, venue: paris } },
      metaAt(now.value.toISOString()),
      deps,
    );
    await runDueSteps(fakes, now);
    expect(await sweepStaleTourMail(deps, now.value.getTime() + 60_000)).toEqual({ resent: 0, closed: 1 });
    // The move, then one announcement of the show still in Germany (not 'live in Germany' of Paris).
    expect(kindsToldDe(mailer.ses)).toEqual(['press-moved', 'press-announcement']);
    const sheet = JSON.stringify(mailer.ses.calls.at(-1));
    expect([sheet.includes('Berlin 2027-05-16'), sheet.includes('Paris 2027-05-14')]).toEqual([true, false]);
  });

  it('a stale change of a show moved to France since: the sweep closes it, and the outlet hears "moved" once', async () => {
    const { now, deps, mailer } = await retimedAnswerLostThenMoved();
    now.value = new Date(now.value.getTime() + 24 * 3600_000);
    expect(await sweepStaleTourMail(deps, now.value.getTime() + 60_000)).toEqual({ resent: 0, closed: 1 });
    expect(kindsToldDe(mailer.ses)).toEqual(['press-announcement', 'press-moved']);
  });
});

/**
 * A show moved to another country is news to the addresses told of it where it was (docs/design.md#tours).
 * Here the address's announcement in Germany is claimed stale (SES's answer lost, no Email Sent) when
 * the show moves to Paris: the move tells it that the show moved, and the stale-claim sweep, running
 * after the move, leaves the show out of that announcement (it is no longer in the mail's country), so
 * the address is not left last told that the show plays in Germany.
 */
describe('a show moved away while its announcement there is claimed stale', () => {
  it('does not leave the address last told of the show in the country it left', async () => {
    const { now, fakes } = await announcedWithAnswersLost([announced]);
    // The claim is stale now; the move's step runs before the sweep has looked at it.
    now.value = new Date(now.value.getTime() + 2 * 3600_000);
    await applyShowChange(
      'tour-1',
      { type: 'set', show: { ...announced, venue: paris } },
      metaAt(now.value.toISOString()),
      fakes.deps,
    );
    await runDueSteps(fakes, now);
    await sweepStaleTourMail(fakes.deps, now.value.getTime() + 60_000);

    const kinds = kindsToldDe(fakes.mailer.ses);
    expect(kinds.at(-1) ?? 'nothing').not.toBe('press-announcement');
  });
});

/**
 * An announcement whose claim went stale (SES's answer lost, no Email Sent) still counts as told for the
 * country's next announcement step (docs/design.md#tours): the stale-claim sweep, running after that
 * step, writes it again as the same mail and sends it. Were the step to count it as never reached, it
 * would announce its show again in a set of its own and the address would hear of the first show twice.
 */
describe('an announcement claimed stale when the next show of the country is announced', () => {
  it('tells the address of the first show once, whichever of the step and the sweep runs first', async () => {
    const { now, fakes } = await announcedWithAnswersLost([announced]);
    const lost = fakes.mailer.ses.calls.length;
    // The claim is stale now; the next show's step runs before the sweep has looked at it.
    now.value = new Date(now.value.getTime() + 2 * 3600_000);
    await applyShowChange(
      'tour-1',
      { type: 'set', show: { ...announced, showId: 'show-2', date: '2027-05-20' } },
      metaAt(now.value.toISOString()),
      fakes.deps,
    );
    await runDueSteps(fakes, now);
    await sweepStaleTourMail(fakes.deps, now.value.getTime() + 60_000);

    // Every mail SES accepted for the address since (the first call's answer was lost: it sent nothing).
    const subjects = fakes.mailer.ses.calls
      .slice(lost)
      .flatMap((call) =>
        call.entries
          .filter((entry) => entry.email === 'de@press.example')
          .map((entry) => JSON.stringify([call.defaultData, entry.data]).match(/"subject":"([^"]*)"/)?.[1]),
      );
    expect(subjects.filter((subject) => subject?.includes('Berlin 2027-05-14'))).toHaveLength(1);
  });
});

/** A stale change of a show that moved away, its move told, and was cancelled since (docs/design.md#tours). */
describe('press: a stale change claim of a show moved to France and cancelled there since', () => {
  it('is closed: the German outlet, told it moved, hears no "Cancelled: ... in Germany" that the cancellation\'s step did not send', async () => {
    const { now, fakes, deps, mailer } = await retimedAnswerLostThenMoved();
    // Cancelled in Paris: its step tells France's press, not Germany's (it heard the show moved).
    now.value = new Date(now.value.getTime() + 60_000);
    await applyShowChange(
      'tour-1',
      { type: 'cancel', showId: 'show-1' },
      metaAt(now.value.toISOString()),
      deps,
    );
    await takeStepsWritten(fakes);
    const byTheSteps = kindsToldDe(mailer.ses);
    expect(byTheSteps).toEqual(['press-announcement', 'press-moved']);

    // The "Changed" claim goes stale: the sweep writes nothing the steps would not have.
    now.value = new Date(now.value.getTime() + 24 * 3600_000);
    await sweepStaleTourMail(deps, now.value.getTime() + 60_000);
    expect(kindsToldDe(mailer.ses)).toEqual(byTheSteps);
  });
});

/** A stale "moved" mail of a show that came back to the mail's country since (docs/design.md#tours). */
describe('press: a stale "moved" claim of a show moved back to the country since', () => {
  it('is not resent: the outlet is not left told the show is no longer in Germany while it plays in Berlin', async () => {
    const { now, fakes, deps, mailer } = await movedToParisAnswerLost();
    // Back to Berlin an hour later: the move back's step tells the outlet (a change).
    now.value = new Date(now.value.getTime() + 3600_000);
    await applyShowChange('tour-1', { type: 'set', show: announced }, metaAt(now.value.toISOString()), deps);
    await takeStepsWritten(fakes);

    // The "Moved" claim goes stale and the sweep runs.
    now.value = new Date(now.value.getTime() + 24 * 3600_000);
    await sweepStaleTourMail(deps, now.value.getTime() + 60_000);

    const mails = mailer.ses.receivedBy('de@press.example');
    // Whatever it heard between, its last word is not 'Moved: ... no longer in Germany' of a show in Berlin.
    expect(mails.map((m) => m.kind).at(-1)).not.toBe('press-moved');
  });
});

/**
 * A stale "moved" claim of a show moved back to the claim's country since is closed: the move back's
 * press-change told the address where it plays (docs/design.md#tours). Moved away again, its second stay
 * there is told "moved" under its own identity.
 */
describe('a stale "moved" claim of a show moved back to Germany and away again since', () => {
  it('is not resent after the second stay\'s "moved": the German outlet hears the show moved to Paris once', async () => {
    const { now, fakes, deps, mailer } = await movedToParisAnswerLost();
    // Minutes later, back to Berlin (the outlet hears "Changed"), and minutes after that to Paris again
    // (the outlet hears "Moved", this stay's).
    for (const show of [announced, { ...announced, venue: paris }]) {
      now.value = new Date(now.value.getTime() + 2 * 60_000);
      await applyShowChange('tour-1', { type: 'set', show }, metaAt(now.value.toISOString()), deps);
      await takeStepsWritten(fakes);
    }
    const byTheSteps = kindsToldDe(mailer.ses);
    expect(byTheSteps).toEqual(['press-announcement', 'press-change', 'press-moved']);

    // The first "Moved" claim goes stale and the sweep runs.
    now.value = new Date(now.value.getTime() + 24 * 3600_000);
    await sweepStaleTourMail(deps, now.value.getTime() + 60_000);

    // The first stay's "Moved" was overtaken by the move back: resent, the outlet reads it a second time.
    expect(kindsToldDe(mailer.ses)).toEqual(byTheSteps);
  });
});

/**
 * A press mail the stale-claim sweep held (its show cancelled for now) whose late Email Sent showed it
 * went reached its address (docs/design.md#tours): the steps after count what it told.
 */
describe('a press announcement the sweep held while its show was cancelled, whose late Email Sent showed it went', () => {
  it("is followed by the show's new doors when the show, cancelled meanwhile, is set on again with them", async () => {
    const { now, mail, ses, deps, fakes, announcement } = await pressAnnouncementSentAnswerLost();
    // A day later (the claim stale) the show is cancelled: its step tells the outlet nothing.
    await cancelShow1ADayLater(now, fakes);
    // The sweep then holds the announcement, unsent and open (its show cancelled for now).
    expect(await sweepStaleTourMail(deps, now.value.getTime() + 60_000)).toEqual({ resent: 0, closed: 0 });
    // Its Email Sent comes now: it went (the held claim marked sent).
    await settleFromEmailsSent([emailSent(announcement)], mail);

    // On again, doors at 20:00: the outlet, told doors at 19:00, hears of the change.
    await changeAt({ now, deps }, '2027-02-04T00:00:00.000Z', {
      type: 'set',
      show: { ...announced, times: { ...announced.times, doors: '20:00' } },
    });
    await takeStepsWritten(fakes);

    expect(kindsToldDe(ses)).toEqual(['press-announcement', 'press-change']);
  });
});

/**
 * docs/design.md#tours and #exactly-once-mail: a stale claim of a show cancelled (or on hold) is not
 * wanted only for now, so the sweep leaves it open; closed, the outlet would count as told nothing of
 * the show, be announced it again once it is back, and then the first mail's late Email Sent would show
 * it went: the show announced to the outlet twice.
 */
describe('a press announcement SES sent (its answer lost), its show cancelled once the claim was stale', () => {
  it('is heard once when the show is set on again and the next show announced before its late Email Sent', async () => {
    const { now, mail, ses, deps, fakes, announcement } = await pressAnnouncementSentAnswerLost();
    // A day later (the claim stale) the show is cancelled: its step tells the outlet nothing.
    await cancelShow1ADayLater(now, fakes);
    await sweepStaleTourMail(deps, now.value.getTime() + 60_000);
    // An hour later the show is set on again as it was; the sweep runs a minute after.
    now.value = new Date(now.value.getTime() + 3600_000);
    await applyShowChange('tour-1', { type: 'set', show: announced }, metaAt(now.value.toISOString()), deps);
    await takeStepsWritten(fakes);
    now.value = new Date(now.value.getTime() + 60_000);
    await sweepStaleTourMail(deps, now.value.getTime() + 60_000);
    // An hour later a second show in Germany: the country's announcement step runs.
    now.value = new Date(now.value.getTime() + 3600_000);
    await applyShowChange(
      'tour-1',
      { type: 'set', show: { ...announced, showId: 'show-2', date: '2027-05-20' } },
      metaAt(now.value.toISOString()),
      deps,
    );
    await runDueSteps(fakes, now);
    // Then the first mail's Email Sent comes: it went. The sweep runs on, a day later.
    await settleFromEmailsSent([emailSent(announcement)], mail);
    now.value = new Date(now.value.getTime() + 24 * 3600_000);
    await sweepStaleTourMail(deps, now.value.getTime() + 60_000);

    // Told of show-1 by the first mail, it hears of show-2 alone (not a second announcement of show-1).
    expect(kindsToldDe(ses)).toEqual(['press-announcement', 'press-update']);
  });

  it('is heard once when the show, put on hold instead, is announced again and its late Email Sent comes after', async () => {
    const { now, mail, ses, deps, fakes, announcement } = await pressAnnouncementSentAnswerLost();
    // A day later (the claim stale) the show is put on hold: the sweep holds the claim, unsent.
    now.value = new Date(now.value.getTime() + 24 * 3600_000);
    await applyShowChange(
      'tour-1',
      { type: 'set', show: { ...announced, status: 'hold' } },
      metaAt(now.value.toISOString()),
      deps,
    );
    await takeStepsWritten(fakes);
    now.value = new Date(now.value.getTime() + 60_000);
    expect(await sweepStaleTourMail(deps, now.value.getTime() + 60_000)).toEqual({ resent: 0, closed: 0 });
    // An hour later it is announced again; the sweep runs a minute after, then its Email Sent comes.
    now.value = new Date(now.value.getTime() + 3600_000);
    await applyShowChange('tour-1', { type: 'set', show: announced }, metaAt(now.value.toISOString()), deps);
    await runDueSteps(fakes, now);
    await sweepStaleTourMail(deps, now.value.getTime() + 60_000);
    await settleFromEmailsSent([emailSent(announcement)], mail);
    now.value = new Date(now.value.getTime() + 24 * 3600_000);
    await sweepStaleTourMail(deps, now.value.getTime() + 60_000);

    expect(kindsToldDe(ses)).toEqual(['press-announcement']);
  });

  /**
   * Held as a release's first mail is (docs/design.md#exactly-once-mail): at the sweep's time, so the
   * sweep looks at it again once stale again, not every minute (a page of 500 outlets held for weeks
   * would be 500 writes a minute, read ahead of every claim just gone stale).
   */
  it('is looked at again only once stale again while its show stays cancelled', async () => {
    const { now, mail, deps, fakes } = await pressAnnouncementSentAnswerLost();
    await cancelShow1ADayLater(now, fakes);
    const hold = mail.deliveries.hold.bind(mail.deliveries);
    let holds = 0;
    mail.deliveries.hold = (delivery, at) => {
      holds++;
      return hold(delivery, at);
    };
    // The sweep runs every minute for as long as the stale window and a minute.
    const staleClaimMs = defaultMailSettings(timeoutSeconds.tours).staleClaimMs;
    for (let minute = 0; minute * 60_000 <= staleClaimMs + 60_000; minute++) {
      await sweepStaleTourMail(deps, now.value.getTime() + 60_000);
      now.value = new Date(now.value.getTime() + 60_000);
    }

    expect(holds).toBe(2);
  });
});
