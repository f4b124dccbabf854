import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { convert, divideHalfEven, exponentOf, formatMoney, isCurrency, isRate } from '#shared/money/money.ts';

describe('money', () => {
  it("takes each currency's exponent from ICU: JPY 0, USD 2, BHD 3", () => {
    expect([exponentOf('JPY'), exponentOf('USD'), exponentOf('BHD'), exponentOf('EUR')]).toEqual([
      0, 2, 3, 2,
    ]);
  });

  it("prints amounts with the currency's own digits, from integers", () => {
    expect(formatMoney({ minor: 123_456, currency: 'JPY' })).toBe('123,456 JPY');
    expect(formatMoney({ minor: 123_456, currency: 'USD' })).toBe('1,234.56 USD');
    expect(formatMoney({ minor: 123_456, currency: 'BHD' })).toBe('123.456 BHD');
    expect(formatMoney({ minor: -5, currency: 'USD' })).toBe('-0.05 USD');
    expect(formatMoney({ minor: 9_007_199_254_740_991, currency: 'USD' })).toBe('90,071,992,547,409.91 USD');
  });

  it('rounds half to even', () => {
    expect([5n, 15n, 25n, -5n, -15n, 7n, 3n].map((n) => divideHalfEven(n, 10n))).toEqual([
      0n,
      2n,
      2n,
      0n,
      -2n,
      1n,
      0n,
    ]);
  });

  it('converts with the decimal rate exactly, on the target minor unit', () => {
    expect(convert({ minor: 10_000, currency: 'GBP' }, 'USD', '1.2534')).toEqual({
      minor: 12_534,
      currency: 'USD',
    });
    expect(convert({ minor: 1_000, currency: 'USD' }, 'JPY', '151.235')).toEqual({
      minor: 1_512,
      currency: 'JPY',
    });
    expect(convert({ minor: 100, currency: 'JPY' }, 'BHD', '0.0025')).toEqual({
      minor: 250,
      currency: 'BHD',
    });
    // 0.125 USD at rate 1 to a 2-digit currency: 12.5 cents, a tie, goes to 12.
    expect(convert({ minor: 125, currency: 'BHD' }, 'USD', '1')).toEqual({ minor: 12, currency: 'USD' });
    expect(convert({ minor: 12_534, currency: 'USD' }, 'GBP', '1.2534', true)).toEqual({
      minor: 10_000,
      currency: 'GBP',
    });
  });

  it('agrees with exact rational arithmetic for any amount and rate', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10 ** 9 }),
        fc.integer({ min: 1, max: 10 ** 6 }),
        fc.integer({ min: 0, max: 6 }),
        (minor, digits, scale) => {
          const rate =
            scale === 0
              ? String(digits)
              : `${String(digits).slice(0, -scale) || '0'}.${String(digits).padStart(scale, '0').slice(-scale)}`;
          const converted = BigInt(convert({ minor, currency: 'USD' }, 'EUR', rate).minor);
          // |converted - exact| <= 1/2 minor unit: 2 * |converted * 10^scale - minor * digits| <= 10^scale.
          const error = converted * 10n ** BigInt(scale) - BigInt(minor) * BigInt(digits);
          return 2n * (error < 0n ? -error : error) <= 10n ** BigInt(scale);
        },
      ),
    );
  });

  it('knows ISO 4217 codes and decimal rates of at most 10 significant digits', () => {
    expect([isCurrency('EUR'), isCurrency('XYZ'), isCurrency('eur')]).toEqual([true, false, false]);
    expect(['1.2534', '0.0025', '1234567890', '151'].every(isRate)).toBe(true);
    expect(['1.23456789012', '-1', '1e3', '0', '0.000', '1,2', ''].some(isRate)).toBe(false);
  });
});
