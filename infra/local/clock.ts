import { existsSync, readFileSync } from 'node:fs';
import { writeJsonAtomically } from './jsonl.ts';

// The local cloud's one clock (see docs/design.md#the-local-clock): wall time plus an offset that only ever grows, so time
// runs on its own and tests can jump ahead. Handlers run in this process and read time through the
// global `Date`, so installing the clock patches `Date.now()` and `new Date()`; nothing in handler
// code knows it is local.

export interface VirtualClock {
  /** Wall time plus the offset. */
  now(): Date;
  /** How far the clock runs ahead of wall time, in milliseconds (never negative). */
  offsetMs(): number;
  /** Moves the clock forward to `t`; never lowers it, so a `t` at or before now changes nothing. */
  raiseTo(t: Date): void;
  /**
   * Keeps the clock in `file` (the data folder): restores it from there now, never to an earlier
   * time than it last showed (less at most the second it ran on unwritten), and writes it there
   * whenever it is raised and as it runs, so that time never runs backwards across a restart, even
   * when the machine's own clock was set back (see docs/design.md#the-local-clock).
   */
  keepIn(file: string): void;
}

/** What `keepIn` writes: the offset, and the clock's now when it was written. */
interface KeptClock {
  offsetMs: number;
  now: string;
}

interface InstalledClock {
  clock: VirtualClock;
  realDate: DateConstructor;
}

// Kept on globalThis, not in module state, so that a second copy of this module (another import
// path, a test runner's fresh module graph in the same process) finds the patch and does not wrap
// the already patched Date a second time.
const INSTALLED = Symbol.for('backline.local.virtualClock');

type GlobalWithClock = typeof globalThis & { [INSTALLED]?: InstalledClock };

export function installVirtualClock(): VirtualClock {
  const global = globalThis as GlobalWithClock;
  const existing = global[INSTALLED];
  if (existing) return existing.clock;

  const RealDate = global.Date;
  const realNow = RealDate.now.bind(RealDate);
  let offset = 0;
  let keptIn: string | undefined;
  // The time last written to `keptIn`: the clock is written again once it has run on a second since,
  // as it is read, so a restart never shows more than a second less than the last run showed.
  let keptAt = Number.NEGATIVE_INFINITY;
  const keep = (at: number) => {
    if (!keptIn) return;
    keptAt = at;
    const kept: KeptClock = { offsetMs: offset, now: new RealDate(at).toISOString() };
    try {
      writeJsonAtomically(keptIn, kept);
    } catch {
      // Reading the time must never fail: a clock not written now is written at its next second.
      keptAt = Number.NEGATIVE_INFINITY;
    }
  };
  const virtualNow = (): number => {
    const now = realNow() + offset;
    if (keptIn && now - keptAt >= 1000) keep(now);
    return now;
  };

  // A function rather than `class extends Date`, because `Date()` called without `new` must keep
  // returning the current time as a string, which a class constructor cannot do. It shares the real
  // prototype, so `instanceof Date` holds for dates made before and after the patch, and inherits
  // the real statics (`Date.UTC`, `Date.parse`).
  function VirtualDate(this: unknown, ...args: unknown[]): unknown {
    if (!new.target) return new RealDate(virtualNow()).toString();
    const constructorArgs = args.length === 0 ? [virtualNow()] : args;
    return Reflect.construct(RealDate, constructorArgs, new.target);
  }
  Object.setPrototypeOf(VirtualDate, RealDate);
  Object.defineProperty(VirtualDate, 'prototype', { value: RealDate.prototype, writable: false });
  Object.defineProperty(VirtualDate, 'length', { value: RealDate.length });
  Object.defineProperty(VirtualDate, 'name', { value: 'Date' });
  Object.defineProperty(VirtualDate, 'now', {
    value: function now(): number {
      return virtualNow();
    },
    writable: true,
    configurable: true,
  });

  const clock: VirtualClock = {
    now: () => new RealDate(virtualNow()),
    offsetMs: () => offset,
    raiseTo(t: Date): void {
      const target = t.getTime();
      if (Number.isNaN(target)) throw new RangeError('raiseTo needs a valid date');
      const wall = realNow();
      if (target > wall + offset) {
        offset = target - wall;
        keep(target);
      }
    },
    keepIn(file: string): void {
      keptIn = file;
      if (existsSync(file)) {
        let kept: KeptClock;
        try {
          kept = JSON.parse(readFileSync(file, 'utf8')) as KeptClock;
        } catch (error) {
          throw new Error(`The local clock cannot read ${file}: ${(error as Error).message}`);
        }
        const wall = realNow();
        // The offset as it was, or more if the machine's own clock went back meanwhile.
        offset = Math.max(offset, Number(kept.offsetMs) || 0, RealDate.parse(kept.now) - wall || 0);
      }
      keep(realNow() + offset);
    },
  };

  global.Date = VirtualDate as unknown as DateConstructor;
  global[INSTALLED] = { clock, realDate: RealDate };
  return clock;
}
