import { describe, expect, it } from 'vitest';
import { Faults } from '#infra/local/faults.ts';

describe('Faults', () => {
  it('arms the faults named in BACKLINE_LOCAL_FAULTS, once when no count is given', () => {
    const faults = new Faults('ses.accept-then-fail=2, invoke.crash-after-return:announcer, ses.other=inf');

    expect(faults.list()).toEqual({
      'ses.accept-then-fail': 2,
      'invoke.crash-after-return:announcer': 1,
      'ses.other': Number.POSITIVE_INFINITY,
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
    expect(faults.list()).toEqual({});
  });

  it('takes a targeted fault for its target only, and an untargeted one for any target', () => {
    const faults = new Faults('invoke.crash-after-return:announcer');

    expect(faults.takeFor('invoke.crash-after-return', 'releases')).toBe(false);
    expect(faults.takeFor('invoke.crash-after-return', 'announcer')).toBe(true);
    faults.arm('invoke.crash-after-return', Number.POSITIVE_INFINITY);
    expect(faults.takeFor('invoke.crash-after-return', 'releases')).toBe(true);
    expect(faults.takeFor('invoke.crash-after-return', 'releases')).toBe(true);
  });

  it('refuses a spec it cannot read, naming the entry', () => {
    expect(() => new Faults('ses.accept-then-fail=0')).toThrow('ses.accept-then-fail=0');
    expect(() => new Faults('not a fault')).toThrow('area.what');
  });

  it('clears everything armed', () => {
    const faults = new Faults('ses.accept-then-fail=3');

    faults.clear();

    expect(faults.take('ses.accept-then-fail')).toBe(false);
  });
});
