import { isRate } from '../money/money.ts';
import * as z from '../zod.ts';

/**
 * A decimal string rate such as "1.2534" (at most 10 significant digits): never a float. A module of
 * its own, not part of the expense events that carry it, so that the FX rates route builds it without
 * every expense schema, and not among the shared fields, which every function holds.
 */
export const Rate = z
  .string()
  .check(
    z.refine(isRate, 'must be a positive decimal string such as "1.2534", at most 10 significant digits'),
  );
