import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deliveryIdOf, type MailIdentity, mailSubjects } from '#shared/db/deliveries.ts';
import { nameHash } from '#shared/db/keys.ts';

const announcement: MailIdentity = {
  labelId: 'nightshift',
  subject: mailSubjects.release('rel-1'),
  email: 'editor@radio.example',
  kind: 'announcement',
};

describe('a mail’s identity', () => {
  it('is the address, not the outlet: the same in any case or spacing', () => {
    const id = deliveryIdOf(announcement);

    expect(deliveryIdOf({ ...announcement, email: '  Editor@RADIO.example ' })).toBe(id);
    expect(id).toMatch(/^[0-9a-f]{32}$/);
  });

  it('differs for another address, kind, release or date', () => {
    const id = deliveryIdOf(announcement);

    expect(deliveryIdOf({ ...announcement, email: 'other@radio.example' })).not.toBe(id);
    expect(deliveryIdOf({ ...announcement, kind: 'out-now' })).not.toBe(id);
    expect(deliveryIdOf({ ...announcement, subject: mailSubjects.release('rel-2') })).not.toBe(id);
    expect(deliveryIdOf({ ...announcement, kind: 'date-change', revision: '2027-05-01T09:00' })).not.toBe(
      deliveryIdOf({ ...announcement, kind: 'date-change', revision: '2027-05-02T09:00' }),
    );
  });

  it('never lets ids that share their characters meet, however a label splits them', () => {
    fc.assert(
      fc.property(fc.string(), fc.string({ minLength: 1 }), fc.string(), (a, b, c) => {
        const first = deliveryIdOf({ ...announcement, labelId: a, subject: mailSubjects.release(b + c) });
        const second = deliveryIdOf({ ...announcement, labelId: a + b, subject: mailSubjects.release(c) });

        expect(first).not.toBe(second);
      }),
    );
  });
});

describe('the identity of every sender’s mails', () => {
  it('keeps the id release mails always had, so mails claimed before still count', () => {
    expect(deliveryIdOf(announcement)).toBe(
      nameHash(['delivery', 'nightshift', 'rel-1', 'editor@radio.example', 'announcement', ''], 32),
    );
  });

  it('tells apart subjects of different types, the territory moment and each budget threshold, period and report day', () => {
    const mail = (subject: MailIdentity['subject'], more: Partial<MailIdentity> = {}) =>
      deliveryIdOf({ ...announcement, subject, ...more });

    const ids = [
      mail(mailSubjects.release('rel-1')),
      mail(mailSubjects.release('rel-1'), { moment: 'GB 2027-04-01T00:00' }),
      mail(mailSubjects.release('rel-1'), { moment: 'US 2027-04-01T00:00' }),
      mail(mailSubjects.show('rel-1', 'show-1')),
      mail(mailSubjects.tourShows('rel-1', 'v1')),
      mail(mailSubjects.tourShows('rel-1', 'v2')),
      mail(mailSubjects.budgetAlert('b-1', '80', '2027-03')),
      mail(mailSubjects.budgetAlert('b-1', '100', '2027-03')),
      mail(mailSubjects.budgetAlert('b-1', '80', '2027-04')),
      mail(mailSubjects.ownerReport('Owner@Label.example', '2027-03-01')),
      mail(mailSubjects.ownerReport('owner@label.example', '2027-03-02')),
    ];

    expect(new Set(ids).size).toBe(ids.length);
    expect(mail(mailSubjects.ownerReport(' OWNER@label.example', '2027-03-01'))).toBe(ids[9]);
  });

  it('never lets the ids of a show or a budget alert meet, however a label splits them', () => {
    fc.assert(
      fc.property(fc.string(), fc.string({ minLength: 1 }), fc.string(), (a, b, c) => {
        expect(deliveryIdOf({ ...announcement, subject: mailSubjects.show(a, b + c) })).not.toBe(
          deliveryIdOf({ ...announcement, subject: mailSubjects.show(a + b, c) }),
        );
        expect(
          deliveryIdOf({ ...announcement, subject: mailSubjects.budgetAlert(a, b + c, '2027') }),
        ).not.toBe(deliveryIdOf({ ...announcement, subject: mailSubjects.budgetAlert(a + b, c, '2027') }));
      }),
    );
  });
});
