/**
 * Hive's partition filter language (get_partitions_by_filter, get_num_partitions_by_filter): what Spark's Hive client
 * and Trino send to prune partitions, e.g. `day = "2026-01-02" and (hour >= 3 or region like "eu.*")`.
 *
 *   filter     := or
 *   or         := and (OR and)*
 *   and        := atom (AND atom)*
 *   atom       := '(' or ')' | key op value | value op key | key [NOT] BETWEEN value AND value
 *               | key [NOT] IN '(' value (',' value)* ')'
 *               | '(' key (',' key)* ')' [NOT] IN '(' '(' value (',' value)* ')' (',' '(' ... ')')* ')'
 *   op         := = | != | <> | < | <= | > | >= | LIKE
 *   value      := "string" | 'string' | integer | DATE 'yyyy-mm-dd'
 *
 * Keywords in any case. A value compares with a key as an integer when the key's type is integral and the literal
 * is an integer, else as a string (partition values are strings in the metastore). LIKE takes a Java regular
 * expression, as Hive's metastore matches it. A filter that does not parse, or names no partition key, is refused
 * with a message saying where.
 */

export type FilterNode =
  | { readonly kind: 'and' | 'or'; readonly left: FilterNode; readonly right: FilterNode }
  | { readonly kind: 'not'; readonly inner: FilterNode }
  | { readonly kind: 'compare'; readonly key: string; readonly op: CompareOp; readonly value: Literal }
  | { readonly kind: 'like'; readonly key: string; readonly pattern: string };

export type CompareOp = '=' | '!=' | '<' | '<=' | '>' | '>=';
export type Literal = { readonly kind: 'string'; readonly value: string } | { readonly kind: 'integer'; readonly value: bigint };

export class PartitionFilterError extends Error {}

type Token =
  | { kind: 'ident'; text: string; at: number }
  | { kind: 'string'; text: string; at: number }
  | { kind: 'integer'; text: string; at: number }
  | { kind: 'op'; text: string; at: number }
  | { kind: 'punct'; text: '(' | ')' | ','; at: number };

const KEYWORDS = new Set(['and', 'or', 'not', 'like', 'between', 'in']);

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '(' || c === ')' || c === ',') {
      out.push({ kind: 'punct', text: c, at: i });
      i++;
      continue;
    }
    if (c === '"' || c === "'") {
      let j = i + 1;
      let value = '';
      while (j < text.length && text[j] !== c) {
        // A backslash escapes the next character, as in Hive's string literals.
        if (text[j] === '\\' && j + 1 < text.length) j++;
        value += text[j];
        j++;
      }
      if (j >= text.length) throw new PartitionFilterError(`unterminated string starting at position ${i}`);
      out.push({ kind: 'string', text: value, at: i });
      i = j + 1;
      continue;
    }
    const op = /^(<=|>=|<>|!=|=|<|>)/.exec(text.slice(i));
    if (op) {
      out.push({ kind: 'op', text: op[1] === '<>' ? '!=' : (op[1] as string), at: i });
      i += (op[1] as string).length;
      continue;
    }
    const integer = /^-?\d+/.exec(text.slice(i));
    if (integer && !/^[A-Za-z_]/.test(text.slice(i + integer[0].length))) {
      out.push({ kind: 'integer', text: integer[0], at: i });
      i += integer[0].length;
      continue;
    }
    const ident = /^(`[^`]+`|[A-Za-z0-9_]+)/.exec(text.slice(i));
    if (ident) {
      const word = ident[1] as string;
      out.push({ kind: 'ident', text: word.startsWith('`') ? word.slice(1, -1) : word, at: i });
      i += word.length;
      continue;
    }
    throw new PartitionFilterError(`unexpected '${c}' at position ${i}`);
  }
  return out;
}

class Parser {
  private at = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly keys: ReadonlyMap<string, string>,
  ) {}

  parse(): FilterNode {
    if (this.tokens.length === 0) throw new PartitionFilterError('the filter is empty');
    const node = this.or();
    const rest = this.tokens[this.at];
    if (rest) throw new PartitionFilterError(`unexpected '${rest.text}' at position ${rest.at}`);
    return node;
  }

  private peek(): Token | undefined {
    return this.tokens[this.at];
  }

  private keyword(word: string): boolean {
    const t = this.peek();
    if (t?.kind === 'ident' && t.text.toLowerCase() === word) {
      this.at++;
      return true;
    }
    return false;
  }

  private expect(kind: Token['kind'], text?: string): Token {
    const t = this.peek();
    if (!t || t.kind !== kind || (text !== undefined && t.text !== text)) {
      const wanted = text ?? kind;
      throw new PartitionFilterError(t ? `expected ${wanted} at position ${t.at}, found '${t.text}'` : `expected ${wanted} at the end of the filter`);
    }
    this.at++;
    return t;
  }

  private or(): FilterNode {
    let left = this.and();
    while (this.keyword('or')) left = { kind: 'or', left, right: this.and() };
    return left;
  }

  private and(): FilterNode {
    let left = this.atom();
    while (this.keyword('and')) left = { kind: 'and', left, right: this.atom() };
    return left;
  }

  private atom(): FilterNode {
    const t = this.peek();
    if (t?.kind === 'punct' && t.text === '(') {
      // A parenthesised filter, or the key list of a multi-column IN.
      const save = this.at;
      this.at++;
      if (this.isKeyList()) {
        this.at = save;
        return this.multiColumnIn();
      }
      const inner = this.or();
      this.expect('punct', ')');
      return inner;
    }
    if (t && (t.kind === 'string' || t.kind === 'integer' || this.isDateLiteral())) {
      // value op key
      const value = this.literal();
      const op = this.expect('op').text as CompareOp;
      const key = this.key();
      return { kind: 'compare', key, op: FLIPPED[op], value };
    }
    const key = this.key();
    const negated = this.keyword('not');
    if (this.keyword('between')) {
      const low = this.literal();
      if (!this.keyword('and')) throw new PartitionFilterError(`expected AND in BETWEEN for '${key}'`);
      const high = this.literal();
      const between: FilterNode = { kind: 'and', left: { kind: 'compare', key, op: '>=', value: low }, right: { kind: 'compare', key, op: '<=', value: high } };
      return negated ? { kind: 'not', inner: between } : between;
    }
    if (this.keyword('in')) {
      const values = this.literalList();
      const any = values.map((value): FilterNode => ({ kind: 'compare', key, op: '=', value })).reduce((left, right) => ({ kind: 'or', left, right }));
      return negated ? { kind: 'not', inner: any } : any;
    }
    if (negated) throw new PartitionFilterError(`expected BETWEEN or IN after NOT for '${key}'`);
    if (this.keyword('like')) {
      const pattern = this.literal();
      if (pattern.kind !== 'string') throw new PartitionFilterError(`LIKE on '${key}' needs a string pattern`);
      try {
        new RegExp(pattern.value);
      } catch {
        throw new PartitionFilterError(`LIKE on '${key}': '${pattern.value}' is not a regular expression`);
      }
      return { kind: 'like', key, pattern: pattern.value };
    }
    const op = this.expect('op').text as CompareOp;
    return { kind: 'compare', key, op, value: this.literal() };
  }

  /** DATE 'yyyy-mm-dd' (a partition key may itself be called date: then no string follows it). */
  private isDateLiteral(): boolean {
    const t = this.peek();
    return t?.kind === 'ident' && t.text.toLowerCase() === 'date' && this.tokens[this.at + 1]?.kind === 'string';
  }

  /** After '(': whether what follows is `key, key, ...) [NOT] IN`. */
  private isKeyList(): boolean {
    let i = this.at;
    for (;;) {
      const t = this.tokens[i];
      if (t?.kind !== 'ident' || KEYWORDS.has(t.text.toLowerCase())) return false;
      const next = this.tokens[i + 1];
      if (next?.kind === 'punct' && next.text === ',') {
        i += 2;
        continue;
      }
      if (next?.kind !== 'punct' || next.text !== ')') return false;
      const after = this.tokens[i + 2];
      const afterNext = this.tokens[i + 3];
      return (
        after?.kind === 'ident' &&
        (after.text.toLowerCase() === 'in' || (after.text.toLowerCase() === 'not' && afterNext?.kind === 'ident' && afterNext.text.toLowerCase() === 'in'))
      );
    }
  }

  private multiColumnIn(): FilterNode {
    this.expect('punct', '(');
    const keys = [this.key()];
    while (this.peek()?.text === ',') {
      this.at++;
      keys.push(this.key());
    }
    this.expect('punct', ')');
    const negated = this.keyword('not');
    if (!this.keyword('in')) throw new PartitionFilterError('expected IN after the key list');
    this.expect('punct', '(');
    const rows: FilterNode[] = [];
    for (;;) {
      const values = this.literalList();
      if (values.length !== keys.length) throw new PartitionFilterError(`a row of ${values.length} values for ${keys.length} keys`);
      rows.push(
        values
          .map((value, i): FilterNode => ({ kind: 'compare', key: keys[i] as string, op: '=', value }))
          .reduce((left, right) => ({ kind: 'and', left, right })),
      );
      if (this.peek()?.text !== ',') break;
      this.at++;
    }
    this.expect('punct', ')');
    const any = rows.reduce((left, right) => ({ kind: 'or', left, right }));
    return negated ? { kind: 'not', inner: any } : any;
  }

  private literalList(): Literal[] {
    this.expect('punct', '(');
    const values = [this.literal()];
    while (this.peek()?.text === ',') {
      this.at++;
      values.push(this.literal());
    }
    this.expect('punct', ')');
    return values;
  }

  private key(): string {
    const t = this.expect('ident');
    const key = t.text.toLowerCase();
    if (!this.keys.has(key)) throw new PartitionFilterError(`'${t.text}' at position ${t.at} is not a partition key (${[...this.keys.keys()].join(', ')})`);
    return key;
  }

  private literal(): Literal {
    const t = this.peek();
    if (t?.kind === 'string') {
      this.at++;
      return { kind: 'string', value: t.text };
    }
    if (t?.kind === 'integer') {
      this.at++;
      return { kind: 'integer', value: BigInt(t.text) };
    }
    if (this.isDateLiteral()) {
      this.at++;
      const s = this.expect('string');
      if (!/^\d{4}-\d{2}-\d{2}$/.test(s.text)) throw new PartitionFilterError(`DATE '${s.text}' at position ${s.at} is not yyyy-mm-dd`);
      return { kind: 'string', value: s.text };
    }
    throw new PartitionFilterError(t ? `expected a value at position ${t.at}, found '${t.text}'` : 'expected a value at the end of the filter');
  }
}

const FLIPPED: Record<CompareOp, CompareOp> = { '=': '=', '!=': '!=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

const INTEGRAL = new Set(['tinyint', 'smallint', 'int', 'integer', 'bigint']);

/** Parses a filter against a table's partition keys (name -> Hive type). */
export function parsePartitionFilter(text: string, partitionKeys: ReadonlyArray<{ name: string; type: string }>): FilterNode {
  const keys = new Map(partitionKeys.map((k) => [k.name.toLowerCase(), k.type.toLowerCase()]));
  return new Parser(tokenize(text), keys).parse();
}

/** Whether a partition (its values, in the keys' order) matches. */
export function matchesPartitionFilter(node: FilterNode, partitionKeys: ReadonlyArray<{ name: string; type: string }>, values: readonly string[]): boolean {
  const valueOf = new Map(partitionKeys.map((k, i) => [k.name.toLowerCase(), { value: values[i] ?? '', type: k.type.toLowerCase() }]));
  const evaluate = (n: FilterNode): boolean => {
    switch (n.kind) {
      case 'and':
        return evaluate(n.left) && evaluate(n.right);
      case 'or':
        return evaluate(n.left) || evaluate(n.right);
      case 'not':
        return !evaluate(n.inner);
      case 'like': {
        const v = valueOf.get(n.key);
        return v !== undefined && new RegExp(`^(?:${n.pattern})$`, 's').test(v.value);
      }
      case 'compare': {
        const v = valueOf.get(n.key);
        if (v === undefined) return false;
        let order: number;
        if (n.value.kind === 'integer' && INTEGRAL.has(v.type)) {
          if (!/^-?\d+$/.test(v.value)) return false;
          const a = BigInt(v.value);
          order = a < n.value.value ? -1 : a > n.value.value ? 1 : 0;
        } else {
          const b = n.value.kind === 'integer' ? n.value.value.toString() : n.value.value;
          order = v.value < b ? -1 : v.value > b ? 1 : 0;
        }
        switch (n.op) {
          case '=':
            return order === 0;
          case '!=':
            return order !== 0;
          case '<':
            return order < 0;
          case '<=':
            return order <= 0;
          case '>':
            return order > 0;
          case '>=':
            return order >= 0;
        }
      }
    }
  };
  return evaluate(node);
}
