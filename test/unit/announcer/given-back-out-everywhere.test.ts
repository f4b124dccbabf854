import { describe, expect, it } from 'vitest';
import { releaseMailIdentity, sendMailing } from '#functions/announcer/mailing.ts';
import { settleFromEmailsSent } from '#functions/settlement/settle.ts';
import { deliveryIdOf } from '#shared/db/deliveries.ts';
import {
  aLabelAndItsPress,
  announce,
  emailSent,
  far,
  giveDeBack,
  giveDeBackWhileItsWithdrawalIsOut,
  meta,
  runRequested,
  withdrawDe,
} from '#test/support/announcer-fakes.ts';
import { anOutlet } from '#test/support/releases.ts';

type Press = ReturnType<typeof aLabelAndItsPress>;

/** The release announced to the press, then its release day comes: out in GB and DE. */
async function announcedThenOut({ release, world, store, releaseDay }: Press) {
  await store.putIfNewer(release, []);
  await sendMailing(announce, meta, world.deps, far());
  await releaseDay();
}

/** Announced, out everywhere and its out-now sent, then DE withdrawn. */
async function outEverywhereThenDeWithdrawn(press: Press) {
  await announcedThenOut(press);
  await sendMailing({ ...announce, kind: 'out-now' }, meta, press.world.deps, far());
  await press.label(withdrawDe, 'evt-withdrawn', '2026-02-01T10:00:00.000Z');
}

/**
 * A release out everywhere is announced to nobody new (docs/design.md#exactly-once-mail): a country
 * given back announces again the outlets told of its withdrawal there, and no other.
 */
describe('a country given back to a release out everywhere, to outlets never told of it', () => {
  it('announces nothing to an outlet added to the directory after the release came out', async () => {
    const press = aLabelAndItsPress();
    const { german, world, label } = press;
    await announcedThenOut(press);
    await label(withdrawDe, 'evt-withdrawn', '2026-02-01T10:00:00.000Z');
    const newcomer = anOutlet({ kind: 'press', territories: ['DE'], email: 'desk@newcomer.example' });
    world.directory.push(newcomer);

    await label(giveDeBack, 'evt-given-back', '2026-02-02T10:00:00.000Z');

    expect(world.mailer.kindsReceivedBy(german.email)).toEqual([
      'announcement',
      'cancellation',
      'announcement',
    ]);
    expect(world.mailer.receivedBy(newcomer.email)).toEqual([]);
  });
});

/**
 * A territory given back makes the release theirs again for the outlets told of its withdrawal: they
 * are announced again (docs/design.md#exactly-once-mail). Of a release out everywhere, the giving back
 * asks nothing (releases asks the announcement only of a widening while the release is still to come
 * somewhere), so the German outlet, last told to disregard the release in DE, never hears it is back.
 */
describe('a country given back to a release out everywhere', () => {
  it('announces the release again to the outlet told of its withdrawal there', async () => {
    const press = aLabelAndItsPress();
    const { german, world, label } = press;
    await outEverywhereThenDeWithdrawn(press);
    expect(world.mailer.kindsReceivedBy(german.email)).toEqual(['announcement', 'out-now', 'cancellation']);

    await label(giveDeBack, 'evt-given-back', '2026-02-02T10:00:00.000Z');

    expect(world.mailer.kindsReceivedBy(german.email)).toEqual([
      'announcement',
      'out-now',
      'cancellation',
      'announcement',
    ]);
  });
});

/**
 * A country given back to a release out everywhere announces again only the outlets told of its
 * withdrawal there (docs/design.md#exactly-once-mail), and an outlet no giving back concerns costs what
 * it did before any: here, nothing, since a release out everywhere mails nobody new. The mailings the
 * giving back asks (its announcement, naming DE, and the out-now that announcement asks as it completes)
 * read every British outlet's deliveries and try to claim an out-now for each, to tell one German outlet.
 */
describe('the cost of a country given back to a release out everywhere', () => {
  it('reads and claims nothing for the British outlets, never withdrawn', async () => {
    const german = anOutlet({ kind: 'press', territories: ['DE'] });
    const british = Array.from({ length: 20 }, () => anOutlet({ kind: 'press', territories: ['GB'] }));
    const press = aLabelAndItsPress(['GB', 'DE'], [german, ...british]);
    const { release, world, label } = press;
    await outEverywhereThenDeWithdrawn(press);

    const read: string[] = [];
    const getMany = world.deps.deliveries.getMany.bind(world.deps.deliveries);
    world.deps.deliveries.getMany = async (ids, options) => {
      read.push(...ids);
      return getMany(ids, options);
    };
    const claimed: string[] = [];
    const claimMany = world.deps.deliveries.claimMany.bind(world.deps.deliveries);
    world.deps.deliveries.claimMany = async (claims, at) => {
      claimed.push(...claims.map((claim) => claim.email));
      return claimMany(claims, at);
    };
    // DE given back: the German outlet is announced again, and told again that the release is out.
    await label(giveDeBack, 'evt-given-back', '2026-02-02T10:00:00.000Z');
    await runRequested(world, 'out-now');
    expect(world.mailer.kindsReceivedBy(german.email)).toEqual([
      'announcement',
      'out-now',
      'cancellation',
      'announcement',
      'out-now',
    ]);

    // Every mail of a British outlet the mailings could look up: each kind, in round 0 or round 1.
    const britishIds = new Set(
      british.flatMap((outlet) =>
        (['announcement', 'radio-servicing', 'out-now', 'cancellation'] as const).flatMap((kind) =>
          [undefined, 'given-back-1'].map((revision) =>
            deliveryIdOf(releaseMailIdentity(release, outlet.email, kind, { revision })),
          ),
        ),
      ),
    );
    const britishEmails = new Set(british.map((outlet) => outlet.email));
    expect({
      britishReads: read.filter((id) => britishIds.has(id)).length,
      britishClaimsTried: claimed.filter((email) => britishEmails.has(email)).length,
    }).toEqual({ britishReads: 0, britishClaimsTried: 0 });
  });
});

/**
 * A withdrawal still claimed when a giving back's announcement passes its address is followed, once it
 * is marked sent, by the address's next round (announceAgainAfterWithdrawals): of a release out
 * everywhere, a first mail naming the territories given back, as the giving back's own names them
 * (firstMailRequests, docs/design.md#exactly-once-mail), not nothing, as for an outlet added since.
 */
describe('a release out everywhere given back while its withdrawal was still being sent', () => {
  it('announces the release again to the outlet once its withdrawal is marked sent', async () => {
    const press = aLabelAndItsPress();
    const { german, world } = press;
    await announcedThenOut(press);
    await sendMailing({ ...announce, kind: 'out-now' }, meta, world.deps, far());
    await giveDeBackWhileItsWithdrawalIsOut(press);
    const [withdrawal] = world.mailer.receivedBy(german.email, 'cancellation');

    await settleFromEmailsSent([emailSent(withdrawal)], world.deps);
    await runRequested(world, 'announcement');

    // Told DE was withdrawn, and DE is the release's again: announced again, as a giving back does.
    expect(world.mailer.kindsReceivedBy(german.email)).toEqual([
      'announcement',
      'out-now',
      'cancellation',
      'announcement',
    ]);
  });
});
