import { describe, expect, it } from 'vitest';
import { itemKeysOf } from '#infra/local/dynamodb-faults.ts';
import { Faults } from '#infra/local/faults.ts';

describe('Faults', () => {
  it('arms the faults named in BACKLINE_LOCAL_FAULTS, once when no count is given', () => {
    const faults = new Faults('ses.accept-then-fail=2, invoke.crash-after-return:announcer, ses.error=inf');

    expect(faults.list().armed).toEqual({
      'ses.accept-then-fail': { times: 2 },
      'invoke.crash-after-return:announcer': { times: 1 },
      'ses.error': { times: Number.POSITIVE_INFINITY },
    });
  });

  it('consumes one occurrence per take and forgets a fault once it is used up', () => {
    const faults = new Faults();
    faults.arm('ses.accept-then-fail', 2);

    const taken = [
      faults.take('ses.accept-then-fail'),
      faults.take('ses.accept-then-fail'),
      faults.take('ses.accept-then-fail'),
    ];

    expect(taken).toEqual([true, true, false]);
    expect(faults.list().armed).toEqual({});
  });

  it('takes a targeted fault for its target only, and an untargeted one for any target', () => {
    const faults = new Faults('invoke.crash-after-return:announcer');

    expect(faults.takeFor('invoke.crash-after-return', 'releases')).toBe(false);
    expect(faults.takeFor('invoke.crash-after-return', 'announcer')).toBe(true);
    faults.arm('invoke.crash-after-return', Number.POSITIVE_INFINITY);
    expect(faults.takeFor('invoke.crash-after-return', 'releases')).toBe(true);
    expect(faults.takeFor('invoke.crash-after-return', 'releases')).toBe(true);
  });

  it("takes a fault aimed at any one of a call's targets once, and leaves one aimed at none of them", () => {
    const faults = new Faults('ses.event-drop:a.example,ses.event-drop:Delivery');

    expect(faults.takeFor('ses.event-drop', 'Send', 'b.example', 'c.example')).toBe(false);
    expect(faults.takeFor('ses.event-drop', 'Send', 'b.example', 'a.example')).toBe(true);
    expect(faults.takeFor('ses.event-drop', 'Send', 'a.example')).toBe(false);
    expect(faults.list().armed).toEqual({ 'ses.event-drop:Delivery': { times: 1 } });
  });

  it("takes a DynamoDB fault aimed at an item (`:op.fragment`) for that operation's requests naming a key that holds the fragment, and only them", () => {
    const faults = new Faults(
      'dynamodb.accept-then-fail:PutItem.label-a1,dynamodb.error:TransactWriteItems=2',
    );

    expect(faults.aimsAtItems('PutItem')).toBe(true);
    expect(faults.aimsAtItems('UpdateItem')).toBe(false);
    expect(faults.takeForKeys('dynamodb.accept-then-fail', 'PutItem', ['LABEL#label-b2', 'LABEL'])).toBe(
      false,
    );
    expect(faults.takeForKeys('dynamodb.accept-then-fail', 'UpdateItem', ['LABEL#label-a1', 'LABEL'])).toBe(
      false,
    );
    expect(faults.takeForKeys('dynamodb.accept-then-fail', 'PutItem', ['LABEL#label-a1', 'LABEL'])).toBe(
      true,
    );
    expect(faults.takeForKeys('dynamodb.accept-then-fail', 'PutItem', ['LABEL#label-a1', 'LABEL'])).toBe(
      false,
    );
    // One aimed at the operation alone still takes any of its requests.
    expect(faults.takeForKeys('dynamodb.error', 'TransactWriteItems', ['OUTBOX#e1'])).toBe(true);
    expect(faults.takeForKeys('dynamodb.error', 'TransactWriteItems', [])).toBe(true);
    expect(faults.list().armed).toEqual({});
    expect(faults.list().fired).toEqual({
      'dynamodb.accept-then-fail:PutItem.label-a1': 1,
      'dynamodb.error:TransactWriteItems': 2,
    });
  });

  it("takes an invoke fault aimed at a function's events of one detail-type whose detail holds a fragment (`:fn.detail-type.fragment`), and only those", () => {
    const faults = new Faults('invoke.crash-after-return:announcer.Mailing Requested.rel-a1');
    const event = (releaseId: string, detailType = 'Mailing Requested') => ({
      'detail-type': detailType,
      detail: { data: { labelId: 'label-1', releaseId } },
    });

    expect(faults.takeForInvocation('invoke.crash-after-return', 'announcer', event('rel-b2'))).toBe(false);
    expect(
      faults.takeForInvocation('invoke.crash-after-return', 'announcer', event('rel-a1', 'Outlets Changed')),
    ).toBe(false);
    expect(faults.takeForInvocation('invoke.crash-after-return', 'tours', event('rel-a1'))).toBe(false);
    expect(faults.takeForInvocation('invoke.crash-after-return', 'announcer', event('rel-a1'))).toBe(true);
    expect(faults.takeForInvocation('invoke.crash-after-return', 'announcer', event('rel-a1'))).toBe(false);
    expect(faults.list().fired).toEqual({
      'invoke.crash-after-return:announcer.Mailing Requested.rel-a1': 1,
    });
  });

  it('reads the partition and sort keys of every item a DynamoDB request names, and none of a body it cannot read', () => {
    const body = (request: unknown) => Buffer.from(JSON.stringify(request));
    const key = (pk: string, sk: string) => ({ pk: { S: pk }, sk: { S: sk } });

    expect(
      itemKeysOf(body({ TableName: 't', Item: { ...key('LABEL#a', 'LABEL'), name: { S: 'x' } } })),
    ).toEqual(['LABEL#a', 'LABEL']);
    expect(
      itemKeysOf(
        body({
          TransactItems: [
            { Put: { Item: key('OUTLET#o', 'OUTLET') } },
            { Update: { Key: key('JOB#j', 'JOB') } },
            { Delete: { Key: key('OUTLET_EMAIL#e', 'OUTLET_EMAIL') } },
            { ConditionCheck: { Key: key('TOUR#t', 'TOUR') } },
          ],
        }),
      ),
    ).toEqual(['OUTLET#o', 'OUTLET', 'JOB#j', 'JOB', 'OUTLET_EMAIL#e', 'OUTLET_EMAIL', 'TOUR#t', 'TOUR']);
    expect(
      itemKeysOf(
        body({
          RequestItems: {
            t: [{ PutRequest: { Item: key('A#1', 'A') } }, { DeleteRequest: { Key: key('B#2', 'B') } }],
          },
        }),
      ),
    ).toEqual(['A#1', 'A', 'B#2', 'B']);
    expect(itemKeysOf(body({ RequestItems: { t: { Keys: [key('C#3', 'C')] } } }))).toEqual(['C#3', 'C']);
    expect(itemKeysOf(Buffer.from('not json'))).toEqual([]);
  });

  it('refuses a spec it cannot read, naming the entry', () => {
    expect(() => new Faults('ses.accept-then-fail=0')).toThrow('ses.accept-then-fail=0');
    expect(() => new Faults('not a fault')).toThrow('area.what');
  });

  it('refuses a fault no engine takes, naming the faults there are, so a misspelt one is not armed to never fire', () => {
    const faults = new Faults();

    expect(() => faults.armSpec('ses.throttle@0.3,invoke.crash-befor:releases')).toThrow(
      'no fault is named "invoke.crash-befor"',
    );
    expect(() => faults.arm('invoke.crash-befor')).toThrow('invoke.crash-before');
    expect(() => new Faults('sqs.lost')).toThrow('sqs.redeliver');
    expect(faults.list().armed).toEqual({});
  });

  it('fails about that share of calls for a fault armed at a rate', () => {
    const faults = new Faults('ses.throttle@0.2', 7);

    const fired = Array.from({ length: 10_000 }, () => faults.take('ses.throttle')).filter(Boolean).length;

    expect(fired).toBeGreaterThan(1_800);
    expect(fired).toBeLessThan(2_200);
    expect(faults.list()).toMatchObject({
      seed: 7,
      armed: { 'ses.throttle': { rate: 0.2 } },
      fired: { 'ses.throttle': fired },
      checked: { 'ses.throttle': 10_000 },
    });
  });

  it('gives the n-th call of a fault the same answer for the same seed, whatever other faults are asked in between', () => {
    const alone = new Faults('ses.throttle@0.3', 42);
    const mixed = new Faults('ses.throttle@0.3,dynamodb.error@0.5', 42);

    const aloneAnswers = Array.from({ length: 200 }, () => alone.take('ses.throttle'));
    const mixedAnswers = Array.from({ length: 200 }, (_, i) => {
      if (i % 3 === 0) mixed.take('dynamodb.error');
      return mixed.take('ses.throttle');
    });
    const otherSeed = Array.from(
      { length: 200 },
      (() => {
        const faults = new Faults('ses.throttle@0.3', 43);
        return () => faults.take('ses.throttle');
      })(),
    );

    expect(mixedAnswers).toEqual(aloneAnswers);
    expect(otherSeed).not.toEqual(aloneAnswers);
  });

  it('starts the rates over when reseeded', () => {
    const faults = new Faults('invoke.crash-before@0.5', 1);
    const first = Array.from({ length: 50 }, () => faults.take('invoke.crash-before'));

    faults.reseed(1);

    expect(Array.from({ length: 50 }, () => faults.take('invoke.crash-before'))).toEqual(first);
  });

  it('spends counted occurrences before drawing against a rate armed under the same name', () => {
    const faults = new Faults('dynamodb.error@0.000001', 3);
    faults.arm('dynamodb.error', 2);

    const taken = [
      faults.take('dynamodb.error'),
      faults.take('dynamodb.error'),
      faults.take('dynamodb.error'),
    ];

    expect(taken).toEqual([true, true, false]);
    expect(faults.list().armed).toEqual({ 'dynamodb.error': { rate: 0.000001 } });
  });

  it('refuses a rate outside (0, 1] and a bad name anywhere in a spec, arming nothing of it', () => {
    const faults = new Faults();

    expect(() => faults.armSpec('ses.throttle@0.3,ses.error@0')).toThrow('ses.error@0');
    expect(() => faults.armSpec('ses.throttle@1.5')).toThrow('rate');
    expect(() => faults.armSpec('ses.throttle@0.3,bad name=2')).toThrow('area.what');
    expect(faults.list().armed).toEqual({});
  });

  it('clears everything armed', () => {
    const faults = new Faults('ses.accept-then-fail=3');

    faults.clear();

    expect(faults.take('ses.accept-then-fail')).toBe(false);
  });
});
