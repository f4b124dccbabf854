import { afterEach, describe, expect, it, vi } from 'vitest';

/** Loads the field schemas afresh, so that what their module does at load is seen. */
const freshFields = async () => {
  vi.resetModules();
  return import('#shared/events/fields.ts');
};

describe('country fields', () => {
  afterEach(() => vi.restoreAllMocks());

  it('accept the ISO 3166-1 alpha-2 codes and XK, and reject the codes ISO only reserves or ICU invents', async () => {
    const { Country, CountryOrWorldwide } = await freshFields();
    for (const code of ['GB', 'DE', 'US', 'JP', 'AX', 'SS', 'XK'])
      expect(Country.safeParse(code).success).toBe(true);
    for (const code of ['UK', 'EU', 'UN', 'SU', 'YU', 'EZ', 'QO', 'XA', 'ZZ', 'XX', 'gb'])
      expect({ [code]: Country.safeParse(code).success }).toEqual({ [code]: false });
    expect(CountryOrWorldwide.safeParse('WW').success).toBe(true);
    expect(Country.safeParse('WW').success).toBe(false);
  });

  it("are built without ICU's display names, whose construction costs about 25 ms of a function's init", async () => {
    const displayNames = vi.spyOn(Intl, 'DisplayNames');
    const { CountryOrWorldwide } = await freshFields();
    CountryOrWorldwide.parse('FR');
    expect(displayNames).not.toHaveBeenCalled();
  });
});
