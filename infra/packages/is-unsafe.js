// What fast-xml-parser takes from is-unsafe, in the bundles (an esbuild alias, infra/bundles.ts): its
// parser imports `isUnsafe` with the HTML and XML contexts, to vet an external entity's value, but the
// package's index builds and labels every context it has (SQL, shell, NoSQL, log, ReDoS, SVG), about
// 12 KB more of the publisher's and intake's bundles that cold starts compile for nothing. Backline's
// ERN reader refuses a DOCTYPE and expands no entity (shared/ern.ts), so the check never runs; it is
// kept, as is-unsafe 2 writes it for a list of contexts, should it ever: the contexts' own rules, each
// tested against the value and its entity-decoded copy (the markup contexts' `decodeEntities`).
// test/infra/bundles.test.ts holds it to the package's answers.
import HTML from '../../node_modules/is-unsafe/src/contexts/html.js';
import XML from '../../node_modules/is-unsafe/src/contexts/xml.js';
import decodeEntities from '../../node_modules/is-unsafe/src/util/decode-entities.js';

export { HTML, XML };

/** Whether `value` matches a rule of any of `lists` (contexts), as it is or entity-decoded. */
export function isUnsafe(value, lists) {
  const decoded = decodeEntities(value);
  return lists.some((list) => list.some(({ pattern }) => pattern.test(value) || pattern.test(decoded)));
}
