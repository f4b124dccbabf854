import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { deliveryIdOf, type MailIdentity, mailSubjects } from '#shared/db/deliveries.ts';
import type { OutgoingMail } from '#shared/mail/ports.ts';
import { sendMails } from '#shared/mail/send.ts';
import { templateNames } from '#shared/mail/templates.ts';
import { busEvents, sentMail, uniqueId, waitFor } from '#test/support/cloud.ts';
import { aNotice, localMailDeps } from '#test/support/mail-cloud.ts';
import { createOutlet, localOutletDirectory } from '#test/support/outlets-cloud.ts';

/**
 * The two mail streams end to end on the local cloud: operational mail through its own configuration
 * set, SES's mailbox simulator bouncing it, deliverability suppressing the address and telling whoever
 * relied on the mail (see docs/design.md#two-mail-streams).
 */

const deadline = () => Date.now() + 60_000;

const anOperationalMail = (email: string, overrides: Partial<MailIdentity> = {}): OutgoingMail => {
  const tourId = uniqueId('tour');
  return {
    identity: {
      labelId: uniqueId('lbl'),
      subject: mailSubjects.show(tourId, 'show-paris'),
      email,
      kind: 'advance-request',
      ...overrides,
    },
    stream: 'operational',
    ...aNotice('Advance for Paris, 14 May'),
    context: { tourId, showId: 'show-paris' },
  };
};

const undeliverableFor = async (deliveryId: string) =>
  (await busEvents({ detailType: 'Mail Undeliverable' })).filter(
    (event) => event.detail.data?.deliveryId === deliveryId,
  );

const mailTo = async (email: string) =>
  (await sentMail()).filter((mail) => mail.destination.to.includes(email));

describe('operational mail', () => {
  it('goes out on its own configuration set with no unsubscribe headers', async () => {
    const email = `${uniqueId('promoter')}@venue.example`;

    const outcome = await sendMails(localMailDeps(), [anOperationalMail(email)], deadline());

    expect(outcome).toMatchObject({ claimed: 1, sent: 1 });
    const [mail] = await mailTo(email);
    expect(mail.subject).toBe('Advance for Paris, 14 May');
    expect((mail.headers ?? []).map((header) => header.name.toLowerCase())).not.toContain('list-unsubscribe');
    const sent = await waitFor(
      async () =>
        (await busEvents({ detailType: 'Email Sent' })).find(
          (event) => (event.detail.mail as { destination: string[] }).destination[0] === email,
        ),
      { what: 'Email Sent for the operational mail' },
    );
    expect((sent.detail.mail as { tags: Record<string, string[]> }).tags['ses:configuration-set']).toEqual([
      'backline-operational',
    ]);
  });

  it('is never silenced by a press opt-out of the same address', async () => {
    // A genre of its own: an outlet matching other tests' releases on the shared cloud would be told of
    // them (outlets added late hear of upcoming releases) before its opt-out, and get their mail too.
    const outlet = await createOutlet({ genres: [uniqueId('genre')] });
    await localOutletDirectory().markAddressUnsubscribed(outlet.email, new Date().toISOString(), () => []);

    const outcome = await sendMails(localMailDeps(), [anOperationalMail(outlet.email)], deadline());

    expect(outcome).toMatchObject({ sent: 1, leftOutSuppressed: [] });
    expect(await mailTo(outlet.email)).toHaveLength(1);
  });

  it('tells whoever relied on it, once, when it bounces, and sends that address no more operational mail', async () => {
    const email = `bounce+${randomUUID()}@simulator.amazonses.com`;
    const mail = anOperationalMail(email);
    const deps = localMailDeps();

    await sendMails(deps, [mail], deadline());
    const [undeliverable] = await waitFor(
      async () => {
        const found = await undeliverableFor(deliveryIdOf(mail.identity));
        return found.length > 0 && found;
      },
      { what: 'Mail Undeliverable for the bounced advance request' },
    );
    const reminder = anOperationalMail(email, { ...mail.identity, kind: 'advance-reminder' });
    const later = await sendMails(deps, [reminder], deadline());

    expect(undeliverable.source).toBe('backline.deliverability');
    expect(undeliverable.detail.data).toEqual({
      deliveryId: deliveryIdOf(mail.identity),
      address: email,
      stream: 'operational',
      labelId: mail.identity.labelId,
      subject: [...mail.identity.subject],
      kind: 'advance-request',
      reason: 'bounce',
      detail: 'Permanent/General',
      context: mail.context,
    });
    expect(later).toMatchObject({ leftOutSuppressed: [reminder], claimed: 0, sent: 0 });
    expect(await mailTo(email)).toHaveLength(1);
    expect(await undeliverableFor(deliveryIdOf(mail.identity))).toHaveLength(1);
  });

  it('gets nothing to an address whose campaign mail drew a complaint, and states no Mail Undeliverable for campaign mail', async () => {
    const email = `complaint+${randomUUID()}@simulator.amazonses.com`;
    const press: OutgoingMail = {
      identity: {
        labelId: uniqueId('lbl'),
        subject: mailSubjects.release(uniqueId('rel')),
        email,
        kind: 'announcement',
      },
      stream: 'campaign',
      template: templateNames.notice,
      data: aNotice('Night Drive is out').data,
      unsubscribeUrl: 'https://backline.example/u/v1.x.y',
    };
    const deps = localMailDeps();

    await sendMails(deps, [press], deadline());
    await waitFor(
      async () =>
        (await busEvents({ detailType: 'Outlet Suppressed' })).some(
          (event) => event.detail.data?.email === email,
        ),
      { what: 'Outlet Suppressed for the complaining address' },
    );
    const advance = anOperationalMail(email);
    const operational = await sendMails(deps, [advance], deadline());

    expect(operational).toMatchObject({ leftOutSuppressed: [advance], sent: 0 });
    expect(await undeliverableFor(deliveryIdOf(press.identity))).toEqual([]);
  });
});

describe('attachments', () => {
  it('sends an .ics attachment through SendBulkEmail that the SES store gives back byte for byte', async () => {
    const email = `${uniqueId('tm')}@tour.example`;
    const ics = [
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'PRODID:-//Backline//Tours//EN',
      'BEGIN:VEVENT',
      'UID:show-paris@backline.example',
      'DTSTAMP:20270301T120000Z',
      'DTSTART:20270514T170000Z',
      'SUMMARY:Night Drive at La Cigale',
      'END:VEVENT',
      'END:VCALENDAR',
      '',
    ].join('\r\n');
    const mail: OutgoingMail = {
      ...anOperationalMail(email),
      attachments: [{ fileName: 'show-paris.ics', contentType: 'text/calendar', content: ics }],
    };

    await sendMails(localMailDeps(), [mail], deadline());

    const [stored] = await mailTo(email);
    const attachments = stored.attachments as { filename: string; contentType: string; content: string }[];
    expect(attachments.map((a) => [a.filename, a.contentType])).toEqual([
      ['show-paris.ics', 'text/calendar'],
    ]);
    expect(Buffer.from(attachments[0].content, 'base64').toString('utf8')).toBe(ics);
  });
});
