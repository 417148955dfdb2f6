// The hottest reads (loadTable's lookup) spend more time in PostgreSQL's planner than in execution: planned once per
// connection as a named statement, the lookup took a quarter of the time (bench/RESULTS.md). Only statements
// registered here are prepared; a statement is prepared on each pooled connection on its first use there.
const names = new Map<string, string>();

/** Runs this exact SQL text as a prepared statement on PostgreSQL. The SQL must be fixed text with parameters. */
export function prepareStatement(sqlText: string): void {
  if (!names.has(sqlText)) names.set(sqlText, `lakeplane_${names.size + 1}`);
}

export function preparedNameOf(sqlText: string): string | undefined {
  return names.get(sqlText);
}
