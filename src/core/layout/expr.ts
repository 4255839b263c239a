/**
 * C tokens, lazy macro expansion with hide sets, and an exact integer expression evaluator
 * (BigInt) for the `#define` idioms of Xen ARM headers (reference doc §11 "What a parser must
 * handle"). A real parser: no eval, no Function. Not a hot path, so BigInt is fine here.
 */

export type Tok =
  | { k: 'id'; v: string; hide?: ReadonlySet<string> }
  | { k: 'num'; v: string }
  | { k: 'op'; v: string }
  | { k: 'other'; v: string };

const OPS3 = ['<<=', '>>='];
const OPS2 = ['<<', '>>', '<=', '>=', '==', '!=', '&&', '||', '##', '->', '++', '--'];

/** Tokenize one logical line (comments already removed). Linear in the input. */
export function tokenize(s: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  const n = s.length;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13 || c === 11 || c === 12) {
      i++;
      continue;
    }
    const ch = s[i]!;
    if (/[A-Za-z_]/.test(ch)) {
      let j = i + 1;
      while (j < n && /[A-Za-z0-9_]/.test(s[j]!)) j++;
      out.push({ k: 'id', v: s.slice(i, j) });
      i = j;
      continue;
    }
    if (/[0-9]/.test(ch) || (ch === '.' && /[0-9]/.test(s[i + 1] ?? ''))) {
      // pp-number: digits, letters, dots, underscores (suffixes are validated when evaluated)
      let j = i + 1;
      while (j < n && /[A-Za-z0-9_.]/.test(s[j]!)) j++;
      out.push({ k: 'num', v: s.slice(i, j) });
      i = j;
      continue;
    }
    if (ch === '"' || ch === "'") {
      let j = i + 1;
      while (j < n && s[j] !== ch) j += s[j] === '\\' ? 2 : 1;
      out.push({ k: 'other', v: s.slice(i, Math.min(j + 1, n)) });
      i = j + 1;
      continue;
    }
    const three = s.slice(i, i + 3);
    const two = s.slice(i, i + 2);
    if (OPS3.includes(three)) {
      out.push({ k: 'op', v: three });
      i += 3;
      continue;
    }
    if (OPS2.includes(two)) {
      out.push({ k: 'op', v: two });
      i += 2;
      continue;
    }
    out.push({ k: '()+-*/%&|^~!<>?:,#[]{};=.'.includes(ch) ? 'op' : 'other', v: ch } as Tok);
    i++;
  }
  return out;
}

export interface MacroDef {
  name: string;
  /** null for object-like macros */
  params: string[] | null;
  body: string;
  file: string;
  line: number;
  /** a builtin supplied because the input did not define it (reported in warnings) */
  builtin?: boolean;
  /** optional configs (assumed on by the parser) whose `#ifdef` the #define sits in, e.g. CONFIG_LIVEPATCH */
  conditions?: string[];
  /** cached tokens of body */
  toks?: Tok[];
}

/** Why an expression has no value. */
export type EvalProblem =
  | { kind: 'unknown'; name: string }
  | { kind: 'runtime'; name: string }
  | { kind: 'cycle'; name: string }
  | { kind: 'syntax'; detail: string }
  | { kind: 'limit'; detail: string };

export class EvalError extends Error {
  constructor(readonly problem: EvalProblem) {
    super(problem.kind === 'syntax' || problem.kind === 'limit' ? problem.detail : `${problem.kind} ${problem.name}`);
  }
}

export interface ExpandLimits {
  /** macro invocations per evaluation */
  maxExpansions: number;
  /** tokens alive at once */
  maxTokens: number;
  /** nesting of macro names (hide-set size) */
  maxDepth: number;
  /**
   * work (expansions + tokens they produce) for all evaluations of one header set: a budget per
   * parse, not per evaluation, so one expensive macro referenced a thousand times ends quickly
   */
  maxWork?: number;
}

export const DEFAULT_LIMITS: ExpandLimits = { maxExpansions: 20000, maxTokens: 200000, maxDepth: 128 };
/** default `maxWork`: a real config.h uses a few thousand; 2,000,000 takes well under a second */
export const DEFAULT_MAX_WORK = 2_000_000;

/** The expansion work shared by every evaluation of one parse (see ExpandLimits.maxWork). */
export interface WorkBudget {
  work: number;
  readonly max: number;
}

export function workBudget(limits: ExpandLimits): WorkBudget {
  return { work: 0, max: limits.maxWork ?? DEFAULT_MAX_WORK };
}

function workLimit(total: WorkBudget): EvalError {
  return new EvalError({
    kind: 'limit',
    detail: `the macro expansion budget of this header set (${total.max} expansions and tokens) is used up; not evaluated`,
  });
}

export interface ExpandContext {
  lookup(name: string): MacroDef | undefined;
  limits: ExpandLimits;
  /** called for each macro actually expanded (to report builtins used) */
  used?(def: MacroDef): void;
  /** #if mode: `defined` operator */
  ifMode?: boolean;
  isDefined?(name: string): boolean;
  /** shared by all evaluations of one parse; none = only the per-evaluation limits */
  total?: WorkBudget;
}

interface Budget {
  expansions: number;
  /** expansions + tokens of this evaluation */
  work?: number;
}

/** each evaluation may do this much work even when the shared budget is used up (`#define X_VIRT_START 0x1000` is one expansion) */
export const FREE_WORK = 256;

/** Macro calls nest in arguments at most this deep (`_AT(vaddr_t, MB(…))` is 2 in real headers). */
export const MAX_ARG_NESTING = 32;

/** Expand macros in `input` as the C preprocessor does (rescan, hide sets). */
export function expand(input: Tok[], ctx: ExpandContext, budget: Budget = { expansions: 0 }, depth = 0): Tok[] {
  // arguments are expanded recursively: `F(F(F(…)))` must end in a limit, not a stack overflow
  if (depth > MAX_ARG_NESTING)
    throw new EvalError({ kind: 'limit', detail: `macro calls nested in arguments deeper than ${MAX_ARG_NESTING}` });
  const total = ctx.total;
  let toks = input.slice();
  const out: Tok[] = [];
  let i = 0;
  while (i < toks.length) {
    const t = toks[i]!;
    if (t.k !== 'id') {
      out.push(t);
      i++;
      continue;
    }
    if (ctx.ifMode && t.v === 'defined') {
      // `defined X` / `defined(X)` is evaluated before expansion (C11 6.10.1)
      let j = i + 1;
      const paren = toks[j]?.v === '(';
      if (paren) j++;
      const nameTok = toks[j];
      if (!nameTok || nameTok.k !== 'id')
        throw new EvalError({ kind: 'syntax', detail: '`defined` without a macro name' });
      if (paren && toks[j + 1]?.v !== ')') throw new EvalError({ kind: 'syntax', detail: '`defined(` without `)`' });
      out.push({ k: 'num', v: ctx.isDefined?.(nameTok.v) ? '1' : '0' });
      i = j + (paren ? 2 : 1);
      continue;
    }
    const def = ctx.lookup(t.v);
    if (!def || t.hide?.has(t.v)) {
      out.push(t);
      i++;
      continue;
    }
    let args: Tok[][] | null = null;
    let end = i + 1;
    if (def.params) {
      if (toks[i + 1]?.v !== '(') {
        out.push(t);
        i++;
        continue;
      }
      const got = collectArgs(toks, i + 1);
      if (!got) throw new EvalError({ kind: 'syntax', detail: `unbalanced parentheses in ${def.name}(…)` });
      args = got.args;
      end = got.end;
      if (args.length === 1 && args[0]!.length === 0 && def.params.length === 0) args = [];
      if (args.length !== def.params.length) {
        throw new EvalError({
          kind: 'syntax',
          detail: `${def.name} takes ${def.params.length} argument(s), got ${args.length}`,
        });
      }
    }
    if (++budget.expansions > ctx.limits.maxExpansions)
      throw new EvalError({ kind: 'limit', detail: `more than ${ctx.limits.maxExpansions} macro expansions` });
    const hide = new Set(t.hide ?? []);
    hide.add(def.name);
    if (hide.size > ctx.limits.maxDepth)
      throw new EvalError({ kind: 'limit', detail: `macro nesting deeper than ${ctx.limits.maxDepth}` });
    ctx.used?.(def);
    def.toks ??= tokenize(def.body);
    let body = def.toks;
    if (args && def.params) {
      const expandedArgs = args.map((a) => expand(a, ctx, budget, depth + 1));
      const sub: Tok[] = [];
      for (const bt of body) {
        if (bt.k === 'op' && (bt.v === '#' || bt.v === '##'))
          throw new EvalError({ kind: 'syntax', detail: `${def.name}: # and ## are not supported` });
        const p = bt.k === 'id' ? def.params.indexOf(bt.v) : -1;
        if (p >= 0) for (const at of expandedArgs[p]!) sub.push(at);
        else sub.push(bt);
      }
      body = sub;
    }
    if (total) {
      const w = 1 + body.length;
      total.work += w;
      budget.work = (budget.work ?? 0) + w;
      if (total.work > total.max && budget.work > FREE_WORK) throw workLimit(total);
    }
    const repl = body.map((bt): Tok => (bt.k === 'id' ? { k: 'id', v: bt.v, hide: mergeHide(bt.hide, hide) } : bt));
    // splice in place (fast: a memmove) unless the body is so long that spreading it as
    // arguments would overflow the call stack; slice+concat for every expansion made an
    // exponential macro bomb take 37 s instead of 0.2 s before reaching the token limit
    if (repl.length <= 8192) toks.splice(i, end - i, ...repl);
    else toks = toks.slice(0, i).concat(repl, toks.slice(end));
    if (toks.length > ctx.limits.maxTokens)
      throw new EvalError({ kind: 'limit', detail: `expansion longer than ${ctx.limits.maxTokens} tokens` });
  }
  return out;
}

function mergeHide(a: ReadonlySet<string> | undefined, b: Set<string>): ReadonlySet<string> {
  if (!a || a.size === 0) return b;
  const s = new Set(a);
  for (const x of b) s.add(x);
  return s;
}

function collectArgs(toks: Tok[], open: number): { args: Tok[][]; end: number } | null {
  const args: Tok[][] = [[]];
  let depth = 0;
  for (let j = open; j < toks.length; j++) {
    const t = toks[j]!;
    if (t.v === '(' && t.k === 'op') {
      if (depth++ > 0) args[args.length - 1]!.push(t);
      continue;
    }
    if (t.v === ')' && t.k === 'op') {
      if (--depth === 0) return { args, end: j + 1 };
      args[args.length - 1]!.push(t);
      continue;
    }
    if (t.v === ',' && t.k === 'op' && depth === 1) {
      args.push([]);
      continue;
    }
    args[args.length - 1]!.push(t);
  }
  return null;
}

/** Type names that may appear in casts `(vaddr_t)(x)`; the cast keeps the value [A]. */
const TYPE_WORDS = new Set([
  'vaddr_t',
  'paddr_t',
  'unsigned',
  'signed',
  'long',
  'int',
  'short',
  'char',
  'u8',
  'u16',
  'u32',
  'u64',
  's8',
  's16',
  's32',
  's64',
  'uint8_t',
  'uint16_t',
  'uint32_t',
  'uint64_t',
  'int32_t',
  'int64_t',
  'size_t',
  'uintptr_t',
  'register_t',
  'const',
  'volatile',
]);

const NUM_RE = /^(0[xX][0-9a-fA-F]+|0[bB][01]+|[0-9]+)([uU]?[lL]{0,2}|[lL]{1,2}[uU])$/;

export function parseIntLiteral(s: string): bigint {
  const m = NUM_RE.exec(s);
  if (!m) throw new EvalError({ kind: 'syntax', detail: `bad number ${JSON.stringify(s)}` });
  const d = m[1]!;
  if (/^0[xX]/.test(d) || /^0[bB]/.test(d)) return BigInt(d);
  if (d.length > 1 && d.startsWith('0')) {
    if (/[89]/.test(d)) throw new EvalError({ kind: 'syntax', detail: `bad octal number ${s}` });
    return BigInt('0o' + d.slice(1));
  }
  return BigInt(d);
}

/** Intermediate values stay below 2^128 in magnitude (layout values are at most 64-bit). */
const WIDEST = 1n << 128n;

/** Parentheses, unary operators and `?:` nest at most this deep (recursive descent: no stack overflow). */
export const MAX_EXPR_NESTING = 256;

/** Evaluate fully expanded tokens. In #if mode identifiers are 0 (C11 6.10.1p4). */
export function evaluate(toks: Tok[], ifMode = false): bigint {
  let p = 0;
  let nest = 0;
  const deeper = (): void => {
    if (++nest > MAX_EXPR_NESTING)
      throw new EvalError({ kind: 'limit', detail: `expression nested deeper than ${MAX_EXPR_NESTING}` });
  };
  const peek = (): Tok | undefined => toks[p];
  const isOp = (v: string): boolean => {
    const t = toks[p];
    return !!t && t.k === 'op' && t.v === v;
  };
  const expect = (v: string): void => {
    if (!isOp(v))
      throw new EvalError({ kind: 'syntax', detail: `expected ${v}${peek() ? ` before ${peek()!.v}` : ' at end'}` });
    p++;
  };
  // precedence climbing; level table (lowest first)
  const BIN: Array<string[]> = [
    ['||'],
    ['&&'],
    ['|'],
    ['^'],
    ['&'],
    ['==', '!='],
    ['<', '>', '<=', '>='],
    ['<<', '>>'],
    ['+', '-'],
    ['*', '/', '%'],
  ];
  const cond = (): bigint => {
    deeper();
    const c = binary(0);
    if (!isOp('?')) {
      nest--;
      return c;
    }
    p++;
    const a = cond();
    expect(':');
    const b = cond();
    nest--;
    return c !== 0n ? a : b;
  };
  const binary = (level: number): bigint => {
    if (level >= BIN.length) return unary();
    let left = binary(level + 1);
    for (;;) {
      const t = peek();
      if (!t || t.k !== 'op' || !BIN[level]!.includes(t.v)) return left;
      p++;
      const right = binary(level + 1);
      left = apply(t.v, left, right);
      // C has no integers this wide; unbounded BigInts made `a << 0 + b << 0 + …` quadratic
      if (left >= WIDEST || left <= -WIDEST)
        throw new EvalError({ kind: 'limit', detail: 'a value wider than 128 bits' });
    }
  };
  const unary = (): bigint => {
    deeper();
    const v = unaryAt();
    nest--;
    return v;
  };
  const unaryAt = (): bigint => {
    const t = peek();
    if (!t) throw new EvalError({ kind: 'syntax', detail: 'expression ends early' });
    if (t.k === 'op') {
      if (t.v === '-') {
        p++;
        return -unary();
      }
      if (t.v === '+') {
        p++;
        return unary();
      }
      if (t.v === '~') {
        p++;
        return ~unary();
      }
      if (t.v === '!') {
        p++;
        return unary() === 0n ? 1n : 0n;
      }
      if (t.v === '(') {
        // a cast: parenthesised type words followed by an operand
        let j = p + 1;
        while (toks[j]?.k === 'id' && TYPE_WORDS.has(toks[j]!.v)) j++;
        if (j > p + 1 && toks[j]?.v === ')' && toks[j + 1] && !isBinaryStart(toks[j + 1]!)) {
          p = j + 1;
          return unary();
        }
        p++;
        const v = cond();
        expect(')');
        return v;
      }
    }
    p++;
    if (t.k === 'num') return parseIntLiteral(t.v);
    if (t.k === 'id') {
      if (ifMode) return 0n;
      if (t.hide?.has(t.v)) throw new EvalError({ kind: 'cycle', name: t.v });
      if (/^[a-z_][a-z0-9_]*$/.test(t.v) && /[a-z]/.test(t.v)) throw new EvalError({ kind: 'runtime', name: t.v });
      throw new EvalError({ kind: 'unknown', name: t.v });
    }
    throw new EvalError({ kind: 'syntax', detail: `unexpected ${JSON.stringify(t.v)}` });
  };
  if (toks.length === 0) throw new EvalError({ kind: 'syntax', detail: 'empty expression' });
  const v = cond();
  if (p !== toks.length) throw new EvalError({ kind: 'syntax', detail: `unexpected ${JSON.stringify(toks[p]!.v)}` });
  return v;
}

function isBinaryStart(t: Tok): boolean {
  return (
    t.k === 'op' &&
    [
      '*',
      '/',
      '%',
      '<<',
      '>>',
      '<',
      '>',
      '<=',
      '>=',
      '==',
      '!=',
      '&',
      '^',
      '|',
      '&&',
      '||',
      '?',
      ':',
      ')',
      ',',
    ].includes(t.v)
  );
}

function apply(op: string, a: bigint, b: bigint): bigint {
  switch (op) {
    case '||':
      return a !== 0n || b !== 0n ? 1n : 0n;
    case '&&':
      return a !== 0n && b !== 0n ? 1n : 0n;
    case '|':
      return a | b;
    case '^':
      return a ^ b;
    case '&':
      return a & b;
    case '==':
      return a === b ? 1n : 0n;
    case '!=':
      return a !== b ? 1n : 0n;
    case '<':
      return a < b ? 1n : 0n;
    case '>':
      return a > b ? 1n : 0n;
    case '<=':
      return a <= b ? 1n : 0n;
    case '>=':
      return a >= b ? 1n : 0n;
    case '<<':
    case '>>':
      // shift counts beyond 128 never occur in a layout header; refuse rather than allocate
      if (b < 0n || b > 128n) throw new EvalError({ kind: 'syntax', detail: `shift by ${b}` });
      return op === '<<' ? a << b : a >> b;
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
    case '%':
      if (b === 0n) throw new EvalError({ kind: 'syntax', detail: 'division by zero' });
      return op === '/' ? a / b : a % b;
  }
  throw new EvalError({ kind: 'syntax', detail: `operator ${op}` });
}
