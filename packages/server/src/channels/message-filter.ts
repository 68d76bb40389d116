import { Errors, type Message } from '@switchboard/protocol';

/**
 * Subscription filters for derived channels (`[filter=<base64 expression>]name`, RTS5): a subset
 * of JMESPath evaluated against `{ name, clientId, headers }` of each message — comparisons
 * (== != < <= > >=), `&&`, `||`, `!`, parentheses, dotted field paths, `literal` JSON in
 * backticks and 'raw strings'.
 */
export type MessageFilter = (message: Message) => boolean;

type Token =
  | { kind: 'op'; value: string }
  | { kind: 'value'; value: unknown }
  | { kind: 'path'; value: string[] };

function tokenize(expr: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < expr.length) {
    const c = expr[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const two = expr.slice(i, i + 2);
    if (['==', '!=', '<=', '>=', '&&', '||'].includes(two)) {
      tokens.push({ kind: 'op', value: two });
      i += 2;
    } else if ('<>!()'.includes(c)) {
      tokens.push({ kind: 'op', value: c });
      i++;
    } else if (c === '`' || c === "'") {
      const end = expr.indexOf(c, i + 1);
      if (end < 0) throw Errors.invalidChannelName(`filter: unterminated ${c}`);
      const body = expr.slice(i + 1, end);
      let value: unknown = body;
      if (c === '`') {
        try {
          value = JSON.parse(body);
        } catch {
          throw Errors.invalidChannelName(`filter: bad literal ${body}`);
        }
      }
      tokens.push({ kind: 'value', value });
      i = end + 1;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*/.exec(expr.slice(i))!;
      tokens.push({ kind: 'path', value: m[0].split('.') });
      i += m[0].length;
    } else {
      throw Errors.invalidChannelName(`filter: unexpected "${c}"`);
    }
  }
  return tokens;
}

type Node = (scope: Record<string, unknown>) => unknown;

function parse(tokens: Token[]): Node {
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const isOp = (value: string): boolean => peek()?.kind === 'op' && peek()!.value === value;
  const or = (): Node => {
    let left = and();
    while (isOp('||')) {
      pos++;
      const l = left;
      const r = and();
      left = (s) => truthy(l(s)) || truthy(r(s));
    }
    return left;
  };
  const and = (): Node => {
    let left = comparison();
    while (isOp('&&')) {
      pos++;
      const l = left;
      const r = comparison();
      left = (s) => truthy(l(s)) && truthy(r(s));
    }
    return left;
  };
  const comparison = (): Node => {
    const left = unary();
    const t = peek();
    if (t?.kind === 'op' && ['==', '!=', '<', '<=', '>', '>='].includes(t.value)) {
      pos++;
      const right = unary();
      return (s) => compare(t.value, left(s), right(s));
    }
    return left;
  };
  const unary = (): Node => {
    if (isOp('!')) {
      pos++;
      const inner = unary();
      return (s) => !truthy(inner(s));
    }
    if (isOp('(')) {
      pos++;
      const inner = or();
      if (!isOp(')')) throw Errors.invalidChannelName('filter: missing )');
      pos++;
      return inner;
    }
    const t = tokens[pos++];
    if (t?.kind === 'value') return () => t.value;
    if (t?.kind === 'path') {
      return (s) =>
        t.value.reduce<unknown>(
          (v, key) =>
            v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined,
          s,
        );
    }
    throw Errors.invalidChannelName('filter: expression expected');
  };
  const node = or();
  if (pos !== tokens.length) throw Errors.invalidChannelName('filter: trailing input');
  return node;
}

function truthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return true;
}

function compare(op: string, a: unknown, b: unknown): boolean {
  if (op === '==') return JSON.stringify(a) === JSON.stringify(b);
  if (op === '!=') return JSON.stringify(a) !== JSON.stringify(b);
  if (typeof a !== 'number' || typeof b !== 'number') return false;
  return op === '<' ? a < b : op === '<=' ? a <= b : op === '>' ? a > b : a >= b;
}

/** Compiles a filter from its base64 form in the channel name; throws 40010 when invalid. */
export function compileMessageFilter(base64: string): MessageFilter {
  const expr = Buffer.from(decodeURIComponent(base64), 'base64').toString('utf8');
  const node = parse(tokenize(expr));
  return (m) => {
    const extras = m.extras as { headers?: unknown } | undefined;
    return truthy(node({ name: m.name, clientId: m.clientId, headers: extras?.headers }));
  };
}
