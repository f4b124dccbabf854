import { describe, expect, it } from 'vitest';
import { mailSubjects } from '#shared/db/deliveries.ts';
import { MailUndeliverable, outboxEntry } from '#shared/events/index.ts';
import { defaultMailSettings, MailerError, type OutgoingMail } from '#shared/mail/ports.ts';
import { sendMails } from '#shared/mail/send.ts';
import { type Resender, sweepStaleClaims } from '#shared/mail/settle.ts';
import { type FakeWorld, fakeMailDeps, fakeWorld } from '#test/support/announcer-fakes.ts';

const far = () => Date.parse('2100-01-01T00:00:00Z');

const anAdvanceRequest = (overrides: Partial<OutgoingMail> = {}): OutgoingMail => ({
  identity: {
    labelId: 'lbl-nightshift',
    subject: mailSubjects.show('tour-1', 'show-1'),
    email: 'promoter@venue.example',
    kind: 'advance-request',
  },
  stream: 'operational',
  template: 'backline-advance-request',
  data: { text: { name: 'Pat' }, html: { name: 'Pat' } },
  context: { tourId: 'tour-1', showId: 'show-1' },
  ...overrides,
});

/** `count` advance requests of one show, each to its own crew address. */
const crewMails = (count: number): OutgoingMail[] =>
  Array.from({ length: count }, (_, index) =>
    anAdvanceRequest({ identity: { ...anAdvanceRequest().identity, email: `crew${index}@venue.example` } }),
  );

describe('sending mail through the mail module', () => {
  it('sends a mail once however often a sender asks, and keeps its context on the delivery', async () => {
    const world = fakeWorld();

    const first = await sendMails(world.deps, [anAdvanceRequest()], far());
    const again = await sendMails(world.deps, [anAdvanceRequest()], far());

    expect(first).toMatchObject({ claimed: 1, sent: 1, unfinished: false });
    expect(again).toMatchObject({ claimed: 0, sent: 0 });
    expect(world.mailer.delivered.map((mail) => mail.email)).toEqual(['promoter@venue.example']);
    expect(world.deliveries.of('sent')[0]).toMatchObject({
      stream: 'operational',
      subject: ['show', 'tour-1', 'show-1'],
      context: { tourId: 'tour-1', showId: 'show-1' },
    });
  });

  it('counts the mails SES accepted as MailsSent by kind and stream, never a mail it refused or one claimed before', async () => {
    const world = fakeWorld();
    const reminders = crewMails(3).map((mail) => ({
      ...mail,
      identity: { ...mail.identity, kind: 'advance-reminder-1' },
    }));
    world.mailer.script = (mail) =>
      mail.entries.map((entry) =>
        entry.email === 'crew1@venue.example' ? { status: 'MESSAGE_REJECTED' } : { status: 'SUCCESS' },
      );

    await sendMails(world.deps, [...crewMails(2), ...reminders], far());
    await sendMails(world.deps, crewMails(2), far());

    expect(world.measure.totals('MailsSent')).toEqual({
      'advance-request/operational': 1,
      'advance-reminder-1/operational': 2,
    });
  });

  it('sends operational mail with no unsubscribe link, and refuses campaign mail without one', async () => {
    const world = fakeWorld();
    const press = anAdvanceRequest({ stream: 'campaign', template: 'tour-press' });

    await sendMails(world.deps, [anAdvanceRequest()], far());

    expect(world.mailer.calls[0]).toMatchObject({
      stream: 'operational',
      template: 'backline-advance-request',
    });
    expect(world.mailer.calls[0].entries[0].unsubscribeUrl).toBeUndefined();
    await expect(sendMails(world.deps, [press], far())).rejects.toThrow(/needs an unsubscribeUrl/);
    await expect(
      sendMails(world.deps, [anAdvanceRequest({ unsubscribeUrl: 'https://backline.example/u/x' })], far()),
    ).rejects.toThrow(/carries no unsubscribe link/);
    expect(world.deliveries.items.size).toBe(1);
  });

  it('puts mails with different attachments in different SES calls, each with its own files', async () => {
    const world = fakeWorld();
    const ics = (show: string) => [
      { fileName: `${show}.ics`, contentType: 'text/calendar', content: `BEGIN:VCALENDAR ${show}` },
    ];
    const mails = ['a', 'b', 'c'].map((who, index) =>
      anAdvanceRequest({
        identity: { ...anAdvanceRequest().identity, email: `${who}@venue.example` },
        attachments: ics(index < 2 ? 'show-1' : 'show-2'),
      }),
    );

    await sendMails(world.deps, mails, far());

    expect(world.mailer.calls.map((call) => [call.attachments?.[0].fileName, call.entries.length])).toEqual([
      ['show-1.ics', 2],
      ['show-2.ics', 1],
    ]);
  });

  it('claims and sends no operational mail to an address suppressed by a bounce or complaint', async () => {
    const world = fakeWorld();
    world.suppressed.add('promoter@venue.example');
    const other = anAdvanceRequest({
      identity: { ...anAdvanceRequest().identity, email: 'crew@venue.example' },
    });

    const promoter = anAdvanceRequest({
      identity: { ...anAdvanceRequest().identity, email: ' Promoter@Venue.example' },
    });

    const outcome = await sendMails(world.deps, [promoter, other], far());

    // The mails left out are handed back as given, for a sender that says something of them.
    expect(outcome).toMatchObject({ leftOutSuppressed: [promoter], claimed: 1, sent: 1 });
    expect(world.mailer.delivered.map((mail) => mail.email)).toEqual(['crew@venue.example']);
  });

  it('claims and sends no campaign mail to an address suppressed or unsubscribed since its sender read it, and still sends it operational mail after an unsubscribe', async () => {
    const world = fakeWorld();
    const press = (email: string) =>
      anAdvanceRequest({
        identity: { ...anAdvanceRequest().identity, email, kind: 'tour-press' },
        stream: 'campaign',
        template: 'tour-press',
        unsubscribeUrl: `https://backline.example/u/${email}`,
      });
    // The sender read these outlets mailable; then one address bounced and another unsubscribed.
    world.suppressed.add('bounced@radio.example');
    world.unsubscribed.add('gone@press.example');

    const outcome = await sendMails(
      world.deps,
      [press('Bounced@radio.example'), press('gone@press.example'), press('kept@press.example')],
      far(),
    );
    const operational = await sendMails(
      world.deps,
      [anAdvanceRequest({ identity: { ...anAdvanceRequest().identity, email: 'gone@press.example' } })],
      far(),
    );

    expect(outcome).toMatchObject({ optedOut: 2, leftOutSuppressed: [], claimed: 1, sent: 1 });
    expect([...world.deliveries.items.values()].map((delivery) => delivery.email)).toEqual([
      'kept@press.example',
      'gone@press.example',
    ]);
    expect(operational).toMatchObject({ claimed: 1, sent: 1 });
    expect(world.mailer.delivered.map((mail) => mail.email)).toEqual([
      'kept@press.example',
      'gone@press.example',
    ]);
  });

  it('claims the mails of two SES calls in one request and marks each call sent in one', async () => {
    const world = fakeWorld();
    const mails = crewMails(120);

    const outcome = await sendMails(world.deps, mails, far());

    expect(outcome).toMatchObject({ claimed: 120, sent: 120 });
    expect(world.mailer.calls.map((call) => call.entries.length)).toEqual([50, 50, 20]);
    expect([world.deliveries.claimPages, world.deliveries.markPages]).toEqual([2, 3]);
  });

  it('takes the send rate once for as many calls as one second of it holds', async () => {
    const world = fakeWorld({ perCall: 200 });
    const mails = crewMails(450);

    const outcome = await sendMails(world.deps, mails, far());

    expect(outcome).toMatchObject({ claimed: 450, sent: 450 });
    expect(world.mailer.calls).toHaveLength(9);
    // 200 recipients a second: the first call's 50 beside the first claims, then four calls of 50 per take.
    expect(world.rateGrants).toEqual([50, 200, 200]);
  });

  it('takes no more of the send rate than one call when every mail was claimed before', async () => {
    const world = fakeWorld({ perCall: 200 });
    const mails = crewMails(450);
    await sendMails(world.deps, mails, far());
    world.rateGrants.length = 0;

    const again = await sendMails(world.deps, mails, far());

    expect(again).toMatchObject({ claimed: 0, sent: 0 });
    expect(world.rateGrants).toEqual([50]);
  });

  it('takes the recipients of the next call from the send rate while the call before it is out', async () => {
    const world = fakeWorld({ perCall: 50 });
    const mails = crewMails(150);
    const steps: string[] = [];
    world.deps.sendRate.acquire = async (count) => {
      steps.push(`take ${count}`);
      return true;
    };
    world.mailer.script = (_mail, call) => {
      steps.push(`call ${call}`);
      return undefined as never;
    };

    await sendMails(world.deps, mails, far());

    // Each take is asked for before the call ahead of it goes out, and none before it is needed.
    expect(steps).toEqual(['take 50', 'take 50', 'call 1', 'take 50', 'call 2', 'call 3']);
  });

  it('sends no call before the send rate granted each of its recipients, after a recipient was retried too', async () => {
    const world = fakeWorld({ perCall: 50 });
    let granted = 0;
    const overdrawn: number[] = [];
    // A grant comes a moment after it is asked for, as the bucket's answer does.
    world.deps.sendRate.acquire = async (count) => {
      await new Promise((resolve) => setImmediate(resolve));
      granted += count;
      return true;
    };
    let sent = 0;
    world.mailer.script = (mail, call) => {
      sent += mail.entries.length;
      if (sent > granted) overdrawn.push(call);
      // The first call's first recipient is throttled and retried: it spends one more recipient.
      return call === 1
        ? mail.entries.map((_, index) => ({ status: index === 0 ? 'TRANSIENT_FAILURE' : 'SUCCESS' }))
        : (undefined as never);
    };

    const outcome = await sendMails(world.deps, crewMails(100), far());

    expect(outcome).toMatchObject({ claimed: 100, sent: 100 });
    expect(world.mailer.calls.map((call) => call.entries.length)).toEqual([50, 1, 50]);
    expect(overdrawn).toEqual([]);
  });

  it('gives back the claims of a round it could not send before its deadline, so the next run sends them', async () => {
    const world = fakeWorld();
    const mails = crewMails(100);
    const deadline = world.clock.now + 1_000;
    world.mailer.script = (_mail, call) => {
      if (call === 1) world.clock.now = deadline; // the first call takes what time was left
      return undefined as never;
    };

    const outcome = await sendMails(world.deps, mails, deadline);
    const next = await sendMails(world.deps, mails, far());

    expect(outcome).toMatchObject({ claimed: 100, sent: 50, unfinished: true, left: 50 });
    expect(world.deliveries.of('claimed')).toEqual([]);
    expect(next).toMatchObject({ claimed: 50, sent: 50 });
    expect(world.mailer.delivered).toHaveLength(100);
  });

  it('gives back the rest of a round when SES refuses a call for a configuration problem', async () => {
    const world = fakeWorld();
    const mails = crewMails(100);
    world.mailer.script = (mail) => mail.entries.map(() => ({ status: 'TEMPLATE_NOT_FOUND' }));

    await expect(sendMails(world.deps, mails, far())).rejects.toThrow(/TEMPLATE_NOT_FOUND/);

    expect(world.deliveries.items.size).toBe(0);
  });
  it('holds on to what SES accepted: a mark that fails a few times running is written all the same', async () => {
    const world = fakeWorld();
    const mails = crewMails(3);
    const { markSentMany } = world.deliveries;
    let failures = 3;
    world.deliveries.markSentMany = async (...args) => {
      if (failures-- > 0) throw new Error('InternalServerError');
      return markSentMany(...args);
    };

    const outcome = await sendMails(world.deps, mails, far());

    expect(outcome).toMatchObject({ claimed: 3, sent: 3 });
    expect(world.deliveries.of('claimed')).toEqual([]);
    expect(world.deliveries.of('sent')).toHaveLength(3);
  });

  it('marks what SES accepted before recording what it refused, so a failed refusal loses no mark', async () => {
    const world = fakeWorld();
    const mails = crewMails(2);
    world.mailer.script = (mail) =>
      mail.entries.map((entry, index) =>
        index === 0
          ? { status: 'MESSAGE_REJECTED', error: 'rejected' }
          : { status: 'SUCCESS', messageId: `m-${entry.deliveryId}` },
      );
    world.deliveries.markFailed = async () => {
      throw new Error('InternalServerError');
    };

    await expect(sendMails(world.deps, mails, far())).rejects.toThrow(/InternalServerError/);

    expect(world.deliveries.of('sent')).toHaveLength(1);
  });

  it('claims the next round and marks a call while the next call goes out', async () => {
    const world = fakeWorld();
    const mails = crewMails(200);
    const steps: string[] = [];
    const { claimMany, markSentMany } = world.deliveries;
    world.deliveries.claimMany = async (...args) => {
      steps.push(`claim ${world.deliveries.claimPages + 1}`);
      return claimMany(...args);
    };
    // A mark that takes until the next call goes out (or 200 ms, were the steps in turn).
    let nextCallOut: () => void = () => {};
    world.deliveries.markSentMany = async (...args) => {
      const marked = world.deliveries.markPages + 1;
      await Promise.race([
        new Promise<void>((resolve) => {
          nextCallOut = resolve;
        }),
        new Promise((resolve) => setTimeout(resolve, 200)),
      ]);
      steps.push(`marked ${marked}`);
      return markSentMany(...args);
    };
    world.mailer.script = (_mail, call) => {
      steps.push(`call ${call}`);
      nextCallOut();
      return undefined as never;
    };

    const outcome = await sendMails(world.deps, mails, far());

    expect(outcome).toMatchObject({ claimed: 200, sent: 200 });
    expect(steps.indexOf('claim 2')).toBeLessThan(steps.indexOf('call 2'));
    expect(steps.indexOf('call 2')).toBeLessThan(steps.indexOf('marked 1'));
    expect(world.deliveries.of('sent')).toHaveLength(200);
  });

  it('gives back the round it claimed ahead when it stops at its deadline, so the next run sends it', async () => {
    const world = fakeWorld();
    const mails = crewMails(200);
    const deadline = world.clock.now + 1_000;
    world.mailer.script = (_mail, call) => {
      if (call === 1) world.clock.now = deadline;
      return undefined as never;
    };

    const outcome = await sendMails(world.deps, mails, deadline);
    const next = await sendMails(world.deps, mails, far());

    expect(outcome).toMatchObject({ sent: 50, unfinished: true });
    expect(next).toMatchObject({ claimed: 150, sent: 150 });
    expect(world.deliveries.of('claimed')).toEqual([]);
    expect(world.mailer.delivered).toHaveLength(200);
  });

  it('counts as left to send the claims it gave back and the mails of the rounds it never claimed, not those claimed before', async () => {
    const world = fakeWorld();
    const mails = crewMails(300);
    await sendMails(world.deps, mails.slice(0, 50), far());
    const deadline = world.clock.now + 1_000;
    world.mailer.script = (_mail, call) => {
      if (call === 2) world.clock.now = deadline;
      return undefined as never;
    };

    const outcome = await sendMails(world.deps, mails, deadline);
    const next = await sendMails(world.deps, mails, far());

    // Rounds of 100: the first's 50 claimed before and 50 sent, the second's claimed ahead and given back,
    // the third never claimed.
    expect(outcome).toMatchObject({ claimed: 50, sent: 50, unfinished: true, left: 200 });
    expect(next).toMatchObject({ claimed: 200, sent: 200 });
    expect(world.mailer.delivered).toHaveLength(300);
  });

  it('counts as left to send the mails of the round whose claim ahead failed, none of which it claimed', async () => {
    const world = fakeWorld();
    const mails = crewMails(200);
    const deadline = world.clock.now + 1_000;
    const { claimMany } = world.deliveries;
    let claims = 0;
    world.deliveries.claimMany = async (...args) => {
      if (++claims === 2) throw new Error('ProvisionedThroughputExceededException');
      return claimMany(...args);
    };
    world.mailer.script = (_mail, call) => {
      if (call === 1) world.clock.now = deadline;
      return undefined as never;
    };

    const outcome = await sendMails(world.deps, mails, deadline);

    // Rounds of 100: the first's 50 sent and 50 given back, the second's claim (made ahead) failed.
    expect(outcome).toMatchObject({ claimed: 100, sent: 50, unfinished: true, left: 150 });
    expect(world.deliveries.of('claimed')).toEqual([]);
  });

  it('gives back every claim it did not send, the round claimed ahead too, when the send rate cannot be taken', async () => {
    const world = fakeWorld();
    const mails = crewMails(200);
    let acquired = 0;
    world.deps.sendRate.acquire = async () => {
      if (++acquired === 2) throw new Error('ProvisionedThroughputExceededException');
      return true;
    };

    await expect(sendMails(world.deps, mails, far())).rejects.toThrow(/ProvisionedThroughput/);

    expect(world.mailer.delivered).toHaveLength(50);
    expect(world.deliveries.of('sent')).toHaveLength(50);
    expect(world.deliveries.of('claimed')).toEqual([]);
  });

  it('still marks a call sent while an earlier mark was failing, then stops and reports that failure', async () => {
    const world = fakeWorld();
    const mails = crewMails(100);
    const { markSentMany } = world.deliveries;
    world.deliveries.markSentMany = async (...args) => {
      // The first call's mark fails for good; the second call's is written.
      if (world.deliveries.markPages === 0 && args[0].some((m) => m.deliveryId === firstCallIds[0])) {
        throw new Error('InternalServerError');
      }
      return markSentMany(...args);
    };
    let firstCallIds: string[] = [];
    world.mailer.script = (mail, call) => {
      if (call === 1) firstCallIds = mail.entries.map((entry) => entry.deliveryId);
      return undefined as never;
    };

    await expect(sendMails(world.deps, mails, far())).rejects.toThrow(/InternalServerError/);

    // The first call's claims stay open for its Email Sent events; the call that went out meanwhile is marked.
    expect(world.mailer.delivered).toHaveLength(100);
    expect(world.deliveries.of('sent')).toHaveLength(50);
    expect(world.deliveries.of('claimed')).toHaveLength(50);
  });
  it('tells of an operational mail SES refuses for good as undeliverable, once, in the write that marks it failed; not of campaign mail', async () => {
    const { deps, deliveries, mailer } = fakeMailDeps(
      () => new Date('2027-03-01T12:00:00Z'),
      defaultMailSettings(300),
    );
    mailer.script = (mail) =>
      mail.entries.map(() => ({ status: 'MESSAGE_REJECTED', error: 'Email address is on a blocklist' }));
    const press = anAdvanceRequest({
      identity: { ...anAdvanceRequest().identity, kind: 'show-announcement' },
      stream: 'campaign',
      template: 'tour-press',
      unsubscribeUrl: 'https://backline.example/u/x',
    });

    const outcome = await sendMails(deps, [anAdvanceRequest(), press], far());
    await sendMails(deps, [anAdvanceRequest(), press], far());
    const [refused] = deliveries.of('failed').filter((delivery) => delivery.stream === 'operational');
    await deliveries.markFailed(refused.deliveryId, 'MESSAGE_REJECTED', '2027-03-01T12:01:00Z', [
      outboxEntry(MailUndeliverable, { ...MailUndeliverable.sample, deliveryId: refused.deliveryId }),
    ]);

    expect(outcome).toMatchObject({ failed: 2, sent: 0 });
    expect(deliveries.of('failed')).toHaveLength(2);
    expect(deliveries.outbox.map((entry) => [entry.detailType, entry.source, entry.detail.data])).toEqual([
      [
        'Mail Undeliverable',
        'backline.tours',
        {
          deliveryId: refused.deliveryId,
          address: 'promoter@venue.example',
          stream: 'operational',
          labelId: 'lbl-nightshift',
          subject: ['show', 'tour-1', 'show-1'],
          kind: 'advance-request',
          reason: 'refused',
          detail: 'MESSAGE_REJECTED: Email address is on a blocklist',
          context: { tourId: 'tour-1', showId: 'show-1' },
        },
      ],
    ]);
  });
});

describe('sending mail while SES has sending paused', () => {
  const pausedSes = () => new MailerError('paused', 'SendBulkEmail failed: SendingPausedException');

  /** A world whose senders leave to the stale-claim sweep what SES refuses while paused. */
  const sweepingWhenPaused = (options?: Parameters<typeof fakeWorld>[0]) => {
    const world = fakeWorld(options);
    world.deps.settings = { ...world.deps.settings, whenPaused: 'sweep' };
    return world;
  };

  /** The show mails' sender: the mail of each stale claim is the one of `mails` to its address. */
  const resenderOf = (mails: OutgoingMail[]): Resender => ({
    subjectType: 'show',
    rebuild: async (stale) => ({
      mails: new Map(
        stale.map((delivery) => [
          delivery.deliveryId,
          mails.find((m) => m.identity.email === delivery.email)!,
        ]),
      ),
    }),
  });

  /** The stale-claim sweep a minute past the window of the claims made just now, sending until `deadline()`. */
  const sweptPastStale = async (world: FakeWorld, resender: Resender, deadline = far) => {
    world.clock.now += world.deps.settings.staleClaimMs + 60_000;
    await sweepStaleClaims(world.deps, resender, deadline());
  };

  it('leaves the claims open at once, unsent, and the stale-claim sweep sends each once SES sends again', async () => {
    const world = sweepingWhenPaused();
    const mails = crewMails(3);
    const resender = resenderOf(mails);
    world.mailer.script = () => pausedSes();

    const outcome = await sendMails(world.deps, mails, world.clock.now + 600_000);
    const openWhilePaused = world.deliveries.of('claimed').length;
    await sweptPastStale(world, resender);
    const sentWhilePaused = world.mailer.delivered.length;
    world.mailer.script = undefined;
    await sweptPastStale(world, resender);
    await sweptPastStale(world, resender);

    expect(outcome).toMatchObject({ claimed: 3, sent: 0, leftForSweep: 3, unfinished: false });
    expect(world.slept).toEqual([]);
    expect(openWhilePaused).toBe(3);
    expect(sentWhilePaused).toBe(0);
    expect(world.mailer.delivered.map((mail) => mail.email).sort()).toEqual([
      'crew0@venue.example',
      'crew1@venue.example',
      'crew2@venue.example',
    ]);
  });

  it('leaves open the entries SES answers ACCOUNT_SENDING_PAUSED, and sends the others', async () => {
    const world = sweepingWhenPaused();
    world.mailer.script = (mail) =>
      mail.entries.map((entry) =>
        entry.email === 'crew1@venue.example' ? { status: 'ACCOUNT_SENDING_PAUSED' } : { status: 'SUCCESS' },
      );

    const outcome = await sendMails(world.deps, crewMails(3), world.clock.now + 600_000);

    expect(outcome).toMatchObject({ claimed: 3, sent: 2, leftForSweep: 1, unfinished: false });
    expect(world.deliveries.of('claimed').map((delivery) => delivery.email)).toEqual(['crew1@venue.example']);
  });

  it("records the sweep's sending of a mail SES refused while paused as its first, no resend, also after a sweep SES refused too", async () => {
    const world = sweepingWhenPaused();
    const mails = crewMails(3);
    const resender = resenderOf(mails);
    // The whole call refused for crew0 and crew1's first call; crew2's entry refused on its own.
    world.mailer.script = (mail) =>
      mail.entries.some((entry) => entry.email === 'crew2@venue.example')
        ? mail.entries.map(() => ({ status: 'ACCOUNT_SENDING_PAUSED' }))
        : pausedSes();
    await sendMails(world.deps, mails.slice(0, 2), world.clock.now + 600_000);
    await sendMails(world.deps, mails.slice(2), world.clock.now + 600_000);

    await sweptPastStale(world, resender);
    world.mailer.script = undefined;
    await sweptPastStale(world, resender);

    expect(world.mailer.delivered.map((mail) => mail.email).sort()).toEqual([
      'crew0@venue.example',
      'crew1@venue.example',
      'crew2@venue.example',
    ]);
    expect(
      world.deliveries
        .of('sent')
        .map((delivery) => [delivery.email, delivery.resends ?? 0, delivery.claimedHeld]),
    ).toEqual([
      ['crew0@venue.example', 0, undefined],
      ['crew1@venue.example', 0, undefined],
      ['crew2@venue.example', 0, undefined],
    ]);
  });

  it('records as first sendings the claims a sweep took over and never handed to SES, its first call refused as SES was paused: at one recipient a call, those after it too', async () => {
    // One recipient a call (SES's sandbox rate): the sweep takes the three over, and its first call is refused.
    const world = sweepingWhenPaused({ perCall: 1 });
    const mails = crewMails(3);
    const resender = resenderOf(mails);
    world.mailer.script = () => pausedSes();
    await sendMails(world.deps, mails, world.clock.now + 600_000);

    await sweptPastStale(world, resender);
    const callsWhilePaused = world.mailer.calls.length;
    world.mailer.script = undefined;
    await sweptPastStale(world, resender);

    // Three refused calls of the mailing's, one of the sweep's.
    expect(callsWhilePaused).toBe(4);
    expect(
      world.deliveries
        .of('sent')
        .map((delivery) => [delivery.email, delivery.resends ?? 0])
        .sort(),
    ).toEqual([
      ['crew0@venue.example', 0],
      ['crew1@venue.example', 0],
      ['crew2@venue.example', 0],
    ]);
  });

  it('records as its first sending a claim left open while SES was paused that a sweep took over and, SES throttling it, never got to SES before its deadline', async () => {
    const world = sweepingWhenPaused();
    const [mail] = crewMails(1);
    const resender = resenderOf([mail]);
    world.mailer.script = () => pausedSes();
    await sendMails(world.deps, [mail], world.clock.now + 600_000);

    world.mailer.script = () =>
      new MailerError('throttled', 'SendBulkEmail failed: TooManyRequestsException');
    await sweptPastStale(world, resender, () => world.clock.now + 5_000);
    world.mailer.script = undefined;
    await sweptPastStale(world, resender);

    expect(world.mailer.delivered).toHaveLength(1);
    expect(world.deliveries.of('sent').map((delivery) => delivery.resends ?? 0)).toEqual([0]);
  });

  it("still counts a resend of a claim the sweep sent again (SES paused then) after its first sending's answer was lost", async () => {
    const world = sweepingWhenPaused();
    const [mail] = crewMails(1);
    const resender = resenderOf([mail]);
    world.mailer.script = () => new MailerError('unknown', 'socket hang up');
    await sendMails(world.deps, [mail], world.clock.now + 600_000);

    world.mailer.script = () => pausedSes();
    await sweptPastStale(world, resender);
    world.mailer.script = undefined;
    await sweptPastStale(world, resender);

    expect(world.deliveries.of('sent').map((delivery) => delivery.resends)).toEqual([1]);
  });

  it("waits as for throttling, then gives the claims back, for a sender that continues itself (the announcer's `wait`)", async () => {
    const world = fakeWorld();
    world.mailer.script = () => pausedSes();
    const deadline = world.clock.now + 60_000;

    const outcome = await sendMails(world.deps, crewMails(2), deadline);

    expect(world.deps.settings.whenPaused).toBe('wait');
    expect(outcome).toMatchObject({ claimed: 2, sent: 0, leftForSweep: 0, unfinished: true });
    expect(world.slept.length).toBeGreaterThan(0);
    expect(world.deliveries.of('claimed')).toEqual([]);
  });
});
