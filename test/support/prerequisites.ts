/**
 * Suites that need something beyond Node (PostgreSQL, Python tools, Java...) skip loudly without it. CI sets
 * LAKEPLANE_REQUIRE_ALL=1, which turns every such skip into a failure, so nothing is silently skipped there.
 */
export const REQUIRE_ALL = process.env['LAKEPLANE_REQUIRE_ALL'] === '1';

export function missingPrerequisite(what: string, why: string): void {
  const message = `SKIPPED ${what}: ${why}`;
  if (REQUIRE_ALL) throw new Error(`${message} (LAKEPLANE_REQUIRE_ALL=1 forbids skipping)`);
  console.warn(`\n*** ${message} ***\n`);
}
