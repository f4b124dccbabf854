import { describe, expect, it } from 'vitest';
import { bookTour } from '#functions/tours/apply-change.ts';
import { takeStep } from '#functions/tours/steps.ts';
import type { EventData, ShowStepDue } from '#shared/events/index.ts';
import { MailerError } from '#shared/mail/ports.ts';
import { aPressOutlet, aShow, fakeToursDeps, metaAt, tourOf } from '#test/support/tours.ts';

/**
 * A show's press announcement going out page by page (pages of 2, one an invocation), the second
 * page's step delivered twice and taken by two invocations at once: while the first's SES call for
 * that page is out, the second finds the page's mails claimed (noting them with their set) and goes on
 * to the end of the directory (the step done); then the first's call fails, its claims are given back
 * unsent and it fails. Found by the chaos scenario for tours press (test/chaos/chaos.test.ts): a
 * whole page of outlets never announced (docs/design.md#tours).
 */
describe('a page of press taken twice at once, the one whose claims were given back retried after the step is done', () => {
  it('announces the outlets of that page', async () => {
    const now = { value: new Date('2027-02-02T00:00:00Z') };
    const { deps, mailer, outlets, tours, schedules } = fakeToursDeps(now);
    deps.settings.pressPageSize = 2;
    const ids = ['a', 'b', 'c', 'd', 'e', 'f'];
    outlets.push(...ids.map((id) => aPressOutlet(id, ['DE'])));
    await bookTour(
      { ...tourOf([aShow({ status: 'announced' })]), genres: ['synthpop'] },
      metaAt('2027-02-02T00:00:00Z'),
      deps,
    );
    tours.outbox.splice(0);
    const take = (due: EventData<typeof ShowStepDue>) =>
      takeStep(due, { correlationId: 'c' }, deps, now.value.getTime());
    const next = () =>
      tours.outbox
        .splice(0)
        .map((entry) => entry.detail.data as EventData<typeof ShowStepDue>)
        .find((data) => data.step === 'press-announcement' && data.cursor);
    now.value = new Date(now.value.getTime() + 5 * 60_000);
    await take(schedules.firing(now.value).find((due) => due.step === 'press-announcement')!);
    const second = next()!;

    let raced = false;
    mailer.ses.script = async () => {
      if (raced) return undefined as never;
      raced = true;
      // The same page's step taken by another invocation meanwhile, which goes on to the last page.
      for (let due: EventData<typeof ShowStepDue> | undefined = { ...second }; due; due = next())
        await take(due);
      return new MailerError('refused', 'SendBulkEmail failed: the call was not taken');
    };
    await expect(take(second)).rejects.toThrow();
    mailer.ses.script = undefined;
    expect(raced).toBe(true);
    // Its retry, the step done by then.
    await take(second);

    const announced = mailer.sent.filter((mail) => mail.kind === 'press-announcement');
    expect(announced.map((mail) => mail.to.email).sort()).toEqual(ids.map((id) => `${id}@press.example`));
  });
});
