import { describe, expect, it } from 'vitest';
import { defaultToursSettings, toursSettingsFrom } from '#functions/tours/ports.ts';
import { functionEnvironment } from '#infra/function-settings.ts';

const { pressPageSize, pressPagesPerInvocation } = functionEnvironment.tours;

describe("tours settings from the function's environment", () => {
  it('uses the defaults when nothing is set, and the values a cloud sets', () => {
    expect(toursSettingsFrom({})).toEqual(defaultToursSettings);
    expect(toursSettingsFrom({ [pressPageSize]: '2', [pressPagesPerInvocation]: '1' })).toEqual({
      pressPageSize: 2,
      pressPagesPerInvocation: 1,
    });
  });

  it('stops at start naming the variable of a malformed value', () => {
    expect(() => toursSettingsFrom({ [pressPageSize]: '0' })).toThrow(`${pressPageSize}: must be 1 or more`);
    expect(() => toursSettingsFrom({ [pressPagesPerInvocation]: '1.5' })).toThrow(pressPagesPerInvocation);
  });
});
