import { CURRENTLY_RECOMMENDED_FLAGS } from 'aws-cdk-lib/cx-api';
import { describe, expect, it } from 'vitest';
import { cdkContext } from '#test/support/infra.ts';

describe('CDK feature flags', () => {
  // Written in cdk.json, not taken from the library, so an upgrade of aws-cdk-lib that recommends a new
  // flag fails here until the flag is added there on purpose: a deployed stage never changes unasked.
  it("sets every flag aws-cdk-lib recommends in cdk.json's context, each to its recommended value", () => {
    const differing = Object.entries(CURRENTLY_RECOMMENDED_FLAGS)
      .filter(([flag, value]) => JSON.stringify(cdkContext[flag]) !== JSON.stringify(value))
      .map(([flag]) => flag);

    expect(differing).toEqual([]);
  });
});
