import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { installVirtualClock } from '#infra/local/clock.ts';

const HOUR = 3_600_000;

describe('virtual clock', () => {
  const RealDate = Date;
  const clock = installVirtualClock();

  it('starts at wall time with no offset', () => {
    const before = performance.timeOrigin + performance.now();

    const now = clock.now().getTime();

    expect(clock.offsetMs()).toBe(0);
    expect(Math.abs(now - before)).toBeLessThan(1000);
  });

  it('shows a raised clock through Date.now(), new Date() and Date()', () => {
    const target = new Date(Date.now() + 30 * 24 * HOUR);

    clock.raiseTo(target);

    expect(Date.now()).toBeGreaterThanOrEqual(target.getTime());
    expect(Date.now() - target.getTime()).toBeLessThan(1000);
    const made = new Date();
    expect(made.getTime() - target.getTime()).toBeLessThan(1000);
    expect(made.getTime()).toBeGreaterThanOrEqual(target.getTime());
    expect(typeof Date()).toBe('string');
    expect(RealDate.parse(Date()) - target.getTime()).toBeLessThan(2000);
    expect(clock.offsetMs()).toBeGreaterThan(30 * 24 * HOUR - 1000);
  });

  it('never lowers the clock', () => {
    clock.raiseTo(new Date(Date.now() + HOUR));
    const offset = clock.offsetMs();

    clock.raiseTo(new Date(Date.now() - 10 * HOUR));
    clock.raiseTo(new Date(0));

    expect(clock.offsetMs()).toBe(offset);
  });

  it('keeps explicit dates, statics and instanceof working', () => {
    const explicit = new Date('2027-03-28T01:30:00Z');
    const fromParts = new Date(2027, 2, 28, 1, 30);
    class Stamp extends Date {}

    const stamp = new Stamp(0);

    expect(explicit.toISOString()).toBe('2027-03-28T01:30:00.000Z');
    expect(fromParts.getFullYear()).toBe(2027);
    expect(new Date(0).getTime()).toBe(0);
    expect(Date.UTC(2027, 0, 1)).toBe(RealDate.UTC(2027, 0, 1));
    expect(Date.parse('2027-01-01T00:00:00Z')).toBe(1798761600000);
    expect(explicit).toBeInstanceOf(Date);
    expect(explicit).toBeInstanceOf(RealDate);
    expect(new RealDate(0)).toBeInstanceOf(Date);
    expect(stamp).toBeInstanceOf(Date);
    expect(stamp).toBeInstanceOf(Stamp);
    expect(stamp.getTime()).toBe(0);
    const stampedNow = new Stamp();
    expect(stampedNow.getTime()).toBeGreaterThanOrEqual(clock.now().getTime() - 1000);
    expect(Object.prototype.toString.call(explicit)).toBe('[object Date]');
  });

  it('returns the same clock when installed twice, without wrapping Date again', () => {
    const patched = Date;

    const again = installVirtualClock();

    expect(again).toBe(clock);
    expect(Date).toBe(patched);
  });

  it('runs on its own after a raise', async () => {
    clock.raiseTo(new Date(Date.now() + HOUR));
    const first = clock.now().getTime();

    await new Promise((resolve) => setTimeout(resolve, 20));

    expect(clock.now().getTime()).toBeGreaterThan(first);
  });

  it('keeps its time in a file: restored from there, never earlier than it last showed, and written when raised', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'backline-clock-')), 'clock.json');
    const lastShown = Date.now() + 400 * 24 * HOUR;
    writeFileSync(file, JSON.stringify({ offsetMs: 0, now: new RealDate(lastShown).toISOString() }));

    clock.keepIn(file);
    const restored = Date.now();
    clock.raiseTo(new Date(restored + HOUR));
    const kept = JSON.parse(readFileSync(file, 'utf8')) as { offsetMs: number; now: string };

    expect(restored).toBeGreaterThanOrEqual(lastShown);
    expect(kept.offsetMs).toBe(clock.offsetMs());
    expect(RealDate.parse(kept.now)).toBeGreaterThanOrEqual(restored + HOUR);
  });
});
