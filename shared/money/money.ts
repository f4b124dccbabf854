/**
 * Money is integer minor units of an ISO 4217 currency, never floats (see docs/design.md#money).
 * A currency's exponent (JPY 0, USD 2, BHD 3, HUF 0) comes from ICU through Intl, never a hand-kept
 * table: the minor unit is ICU's, which is not ISO 4217's for some currencies (minorUnitNotIso4217).
 */
export interface Money {
  minor: number;
  currency: string;
}

const exponents = new Map<string, number>();

/** ISO 4217 codes ICU knows (`Intl.supportedValuesOf('currency')`), read on first use, not at load. */
let known: Set<string> | undefined;

export const isCurrency = (code: string): boolean => {
  known ??= new Set(Intl.supportedValuesOf('currency'));
  return /^[A-Z]{3}$/.test(code) && known.has(code);
};

/**
 * The currencies whose minor unit here (ICU's, CLDR's display digits) is not ISO 4217's: ICU gives
 * each 0 decimals where ISO 4217 gives 2 (IQD: 3). By decision the exponent is ICU's (see
 * docs/design.md#money), so 1,000 HUF is sent as 1000. This list only says so in the documents (a
 * test holds it to what ICU gives); it decides nothing.
 */
export const minorUnitNotIso4217 = [
  'AFN',
  'ALL',
  'COP',
  'HUF',
  'IDR',
  'IQD',
  'IRR',
  'KPW',
  'LAK',
  'LBP',
  'MGA',
  'MMK',
  'PKR',
  'SLL',
  'SOS',
  'SYP',
  'YER',
] as const;

/** What an amount's `minor` is, as the event schemas and the API document say it (for the documents only). */
export const minorUnitText = (): string =>
  `an integer amount in the currency's minor unit as ICU gives it (its digits for the currency, as \`Intl.NumberFormat\` formats it: JPY 0, EUR 2, BHD 3), never a float. For some currencies this is not ISO 4217's minor unit: ${minorUnitNotIso4217.join(', ')} have no decimals here (ISO 4217 gives them 2, IQD 3), so 1,000 HUF is 1000 and 12.50 EUR is 1250`;

/** The number of minor-unit digits of a currency, as ICU gives it: JPY 0, USD 2, BHD 3, HUF 0. */
export function exponentOf(currency: string): number {
  let exponent = exponents.get(currency);
  if (exponent === undefined) {
    exponent = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions()
      .maximumFractionDigits as number;
    exponents.set(currency, exponent);
  }
  return exponent;
}

/**
 * The amount with the currency's own digits (`12.50 USD`, `1,250 JPY`, `1.250 BHD`), built from the
 * integer digits so no float ever rounds it; grouping and sign as `Intl.NumberFormat` prints them.
 */
export function formatMoney(money: Money, locale = 'en-GB'): string {
  const exponent = exponentOf(money.currency);
  const negative = money.minor < 0;
  const digits = String(Math.abs(money.minor)).padStart(exponent + 1, '0');
  const whole = digits.slice(0, digits.length - exponent);
  const fraction = digits.slice(digits.length - exponent);
  const grouped = new Intl.NumberFormat(locale, { useGrouping: true }).format(BigInt(whole));
  return `${negative ? '-' : ''}${grouped}${exponent > 0 ? `.${fraction}` : ''} ${money.currency}`;
}

/** A decimal string rate such as `"1.2534"`: at most 10 significant digits, positive. */
export const rateText = /^(?=.*[1-9])\d{1,10}(\.\d{1,10})?$/;

export const isRate = (value: string): boolean =>
  rateText.test(value) && value.replace('.', '').replace(/^0+/, '').length <= 10;

/** `value` as the exact fraction numerator / 10^scale. */
const decimalOf = (value: string): { numerator: bigint; scale: number } => {
  const [whole, fraction = ''] = value.split('.');
  return { numerator: BigInt(`${whole}${fraction}`), scale: fraction.length };
};

/**
 * numerator / denominator rounded half-even to an integer (banker's rounding: a tie goes to the even
 * neighbour, so rounding many ties adds no bias). Exact: BigInt throughout.
 */
export function divideHalfEven(numerator: bigint, denominator: bigint): bigint {
  if (denominator === 0n) throw new RangeError('division by zero');
  if (denominator < 0n) return divideHalfEven(-numerator, -denominator);
  const negative = numerator < 0n;
  const n = negative ? -numerator : numerator;
  let quotient = n / denominator;
  const twice = (n % denominator) * 2n;
  if (twice > denominator || (twice === denominator && quotient % 2n === 1n)) quotient += 1n;
  return negative ? -quotient : quotient;
}

/**
 * Converts `amount` into `currency` at `rate` units of `currency` per unit of `amount.currency`
 * (`inverse`: units of `amount.currency` per unit of `currency`), rounded half-even on the target's
 * minor unit. Integer arithmetic only: minor * rate * 10^target / (10^source * 10^scale). A result past
 * the integers a number keeps exactly (a rate with its decimal point dropped) is the nearest number, past
 * the largest total a budget keeps: no ledger write takes it, so the expense is refused for good, as one
 * that would take a total past it is (see docs/design.md#money).
 */
export function convert(amount: Money, currency: string, rate: string, inverse = false): Money {
  const { numerator, scale } = decimalOf(rate);
  const source = 10n ** BigInt(exponentOf(amount.currency));
  const target = 10n ** BigInt(exponentOf(currency));
  const scaled = 10n ** BigInt(scale);
  const minor = BigInt(amount.minor);
  const converted = inverse
    ? divideHalfEven(minor * scaled * target, numerator * source)
    : divideHalfEven(minor * numerator * target, source * scaled);
  return { minor: Number(converted), currency };
}

/** `part` percent of `minor`, rounded half-even. */
export const percentOf = (minor: number, percent: number): number =>
  Number(divideHalfEven(BigInt(minor) * BigInt(Math.round(percent * 100)), 10_000n));
