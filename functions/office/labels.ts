import type { LabelExistence } from '#shared/db/labels.ts';
import { failure } from '#shared/http/docs.ts';
import { notFound } from '#shared/http/index.ts';

/**
 * A route under `/labels/{labelId}` that finds nothing asks whether the label exists, so a mistyped
 * label id is a 404 `label not found`, as on the management function's label routes, not an empty
 * list or another item's 404. It asks only then: what the office reads under a label was written from
 * the label's webhooks, which intake takes only for a label that exists, and a label is never removed,
 * so a route that finds something costs no read more (see docs/design.md#routes-and-auth).
 */
export async function requireLabel(labels: LabelExistence, labelId: string): Promise<void> {
  if (!(await labels.exists(labelId))) throw notFound('label');
}

/** The 404 of a route whose only missing thing can be the label (a list). */
export const noLabel = failure('no such label');

/** The 404 of a route that reads an item of the label: the label first, then the item (`what`). */
export const noLabelOr = (what: string) => failure(`no such label, or no such ${what} of the label`);
