/**
 * A light check of a SQL expression an engine will splice into its queries (row filters, CUSTOM masks): it must be
 * one expression, not a statement. Quotes and parentheses must balance, and statement separators and comments are
 * refused, since they could end the engine's query or hide the rest of it. Engines parse it for real; this catches
 * what would break every query of the table, at the moment the policy is written.
 */
export function sqlExpressionProblem(text: string): string | undefined {
  if (text.trim() === '') return 'must not be blank';
  let depth = 0;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) {
        if (text[i + 1] === quote)
          i++; // doubled quote inside a literal
        else quote = undefined;
      }
      continue;
    }
    if (c === "'" || c === '"') quote = c;
    else if (c === '(') depth++;
    else if (c === ')') {
      depth--;
      if (depth < 0) return 'has a ")" without its "("';
    } else if (c === ';') return 'must be one expression: ";" is not allowed';
    else if ((c === '-' && text[i + 1] === '-') || (c === '/' && text[i + 1] === '*')) return 'must not contain comments';
  }
  if (quote) return `has an unclosed ${quote === "'" ? 'string literal' : 'quoted identifier'}`;
  if (depth > 0) return 'has a "(" without its ")"';
  return undefined;
}
