/**
 * The tiny C-preprocessor subset that Xen ARM layout headers need (reference doc §11):
 * line splices, comments, object- and function-like `#define`, `#undef`, and
 * `#if/#ifdef/#ifndef/#elif/#else/#endif` with `defined(...)`. `#include` is ignored: the caller
 * passes every file it wants together. One pass, linear in the input.
 */
import {
  DEFAULT_LIMITS,
  EvalError,
  evaluate,
  expand,
  tokenize,
  workBudget,
  type ExpandLimits,
  type MacroDef,
  type WorkBudget,
} from './expr';

export type DiagKind =
  | 'preprocessor'
  | 'unknown-macro'
  | 'macro-cycle'
  | 'bad-expression'
  | 'limit'
  | 'runtime'
  | 'builtin'
  | 'alias'
  | 'range';

/** A parser note with its place; `warnings` in the Layout are their messages. */
export interface Diagnostic {
  kind: DiagKind;
  file: string;
  line: number | null;
  message: string;
}

export interface CommentBlock {
  file: string;
  /** 1-based line of the first comment line */
  line: number;
  /** the comment's lines, without the comment delimiters */
  lines: string[];
  /** false when the comment sits in an inactive #if branch */
  active: boolean;
}

export interface PreprocessResult {
  macros: Map<string, MacroDef>;
  comments: CommentBlock[];
  diagnostics: Diagnostic[];
}

export interface PreprocessOptions {
  predefined: Record<string, string>;
  limits?: ExpandLimits;
  /** expansion work shared with the caller's later evaluations (default: a new one for this call) */
  total?: WorkBudget;
  /** per-file cap in characters; larger input is refused by the caller */
  maxChars?: number;
  /**
   * predefined names that are optional build configs (CONFIG_LIVEPATCH): a #define inside their
   * taken `#ifdef NAME` / `#if defined(NAME)` records NAME in `conditions`
   */
  optional?: string[];
}

interface Cond {
  active: boolean;
  taken: boolean;
  sawElse: boolean;
  line: number;
  assumes?: string;
}

/** `#if defined(NAME)` / `#if defined NAME` on its own */
const IF_DEFINED_RE = /^defined\s*(?:\(\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)|\s([A-Za-z_][A-Za-z0-9_]*))\s*$/;

const DIRECTIVE_RE = /^\s*#\s*([A-Za-z_]*)\s*(.*)$/s;
const DEFINE_RE = /^([A-Za-z_][A-Za-z0-9_]*)(\(([^)]*)\))?\s*(.*)$/s;

/** Remove comments from one file, splice lines; returns logical lines with first-line numbers. */
function logicalLines(
  text: string,
  file: string,
  diags: Diagnostic[],
): { lines: Array<{ no: number; text: string; comments: Array<{ line: number; text: string }> }> } {
  const phys = text.split(/\r\n|\n|\r/);
  const out: Array<{ no: number; text: string; comments: Array<{ line: number; text: string }> }> = [];
  let inComment = false;
  let commentStart = 0;
  let commentBuf: string[] = [];
  let cur: { no: number; text: string; comments: Array<{ line: number; text: string }> } | null = null;
  for (let li = 0; li < phys.length; li++) {
    const raw = phys[li]!;
    if (!cur) cur = { no: li + 1, text: '', comments: [] };
    let code = '';
    let i = 0;
    while (i < raw.length) {
      if (inComment) {
        const e = raw.indexOf('*/', i);
        if (e < 0) {
          commentBuf.push(raw.slice(i));
          break;
        }
        commentBuf.push(raw.slice(i, e));
        cur.comments.push({ line: commentStart, text: commentBuf.join('\n') });
        commentBuf = [];
        inComment = false;
        code += ' ';
        i = e + 2;
        continue;
      }
      const c = raw[i]!;
      if (c === '"' || c === "'") {
        let j = i + 1;
        while (j < raw.length && raw[j] !== c) j += raw[j] === '\\' ? 2 : 1;
        code += raw.slice(i, j + 1);
        i = j + 1;
        continue;
      }
      if (c === '/' && raw[i + 1] === '*') {
        inComment = true;
        commentStart = li + 1;
        i += 2;
        continue;
      }
      if (c === '/' && raw[i + 1] === '/') {
        cur.comments.push({ line: li + 1, text: raw.slice(i + 2) });
        break;
      }
      code += c;
      i++;
    }
    if (inComment) {
      // a comment running on: the logical line continues after it (C: a comment is one space)
      cur.text += code;
      continue;
    }
    if (code.endsWith('\\')) {
      cur.text += code.slice(0, -1) + ' ';
      continue;
    }
    cur.text += code;
    out.push(cur);
    cur = null;
  }
  if (inComment) {
    diags.push({
      kind: 'preprocessor',
      file,
      line: commentStart,
      message: `${file}:${commentStart}: unterminated /* comment`,
    });
    if (cur) cur.comments.push({ line: commentStart, text: commentBuf.join('\n') });
  }
  if (cur) out.push(cur);
  return { lines: out };
}

/**
 * Run the directives of `files` in order with one shared macro table. Never throws on
 * malformed input: problems become diagnostics.
 */
export function preprocess(files: Array<{ path: string; text: string }>, opts: PreprocessOptions): PreprocessResult {
  const limits = opts.limits ?? DEFAULT_LIMITS;
  const total = opts.total ?? workBudget(limits);
  const macros = new Map<string, MacroDef>();
  const comments: CommentBlock[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const [name, body] of Object.entries(opts.predefined))
    macros.set(name, { name, params: null, body, file: '<predefined>', line: 0 });
  for (const f of files) {
    const { lines } = logicalLines(f.text, f.path, diagnostics);
    const stack: Cond[] = [];
    // optional configs whose taken branch we are in, with nesting counts (linear: no stack scans)
    const assumed = new Map<string, number>();
    const optional = new Set(opts.optional ?? []);
    // how many entries of `stack` are inactive: `active()` is O(1), so 50,000 nested #if stay linear
    let inactive = 0;
    const active = (): boolean => inactive === 0;
    const diag = (kind: DiagKind, line: number, msg: string): void => {
      diagnostics.push({ kind, file: f.path, line, message: `${f.path}:${line}: ${msg}` });
    };
    const evalIf = (expr: string, line: number): boolean => {
      try {
        const toks = expand(tokenize(expr), {
          lookup: (n) => macros.get(n),
          limits,
          total,
          ifMode: true,
          isDefined: (n) => macros.has(n),
        });
        return evaluate(toks, true) !== 0n;
      } catch (e) {
        if (!(e instanceof EvalError)) throw e;
        diag(
          e.problem.kind === 'limit' ? 'limit' : 'preprocessor',
          line,
          `#if ${expr.trim().slice(0, 60)}: ${e.message}; taken as false`,
        );
        return false;
      }
    };
    // Several "/* */" comments may share a line; Xen's map is one long block comment.
    for (const ll of lines) {
      const isActive = active();
      for (const c of ll.comments)
        comments.push({ file: f.path, line: c.line, lines: c.text.split('\n'), active: isActive });
      const m = DIRECTIVE_RE.exec(ll.text);
      if (!m) continue;
      const dir = m[1]!;
      const rest = m[2]!.trim();
      switch (dir) {
        case 'if':
        case 'ifdef':
        case 'ifndef': {
          let v = false;
          if (isActive) {
            if (dir === 'if') v = evalIf(rest, ll.no);
            else {
              const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest)?.[0];
              if (!name) diag('preprocessor', ll.no, `#${dir} without a macro name`);
              v = !!name && macros.has(name) === (dir === 'ifdef');
            }
          }
          const cond: Cond = { active: isActive && v, taken: v, sawElse: false, line: ll.no };
          if (isActive && v) {
            const m2 = dir === 'if' ? IF_DEFINED_RE.exec(rest) : null;
            const opt = dir === 'ifdef' ? /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest)?.[0] : (m2?.[1] ?? m2?.[2]);
            if (opt && optional.has(opt)) {
              cond.assumes = opt;
              assumed.set(opt, (assumed.get(opt) ?? 0) + 1);
            }
          }
          stack.push(cond);
          if (!(isActive && v)) inactive++;
          break;
        }
        case 'elif':
        case 'else': {
          const top = stack[stack.length - 1];
          if (!top) {
            diag('preprocessor', ll.no, `#${dir} without #if`);
            break;
          }
          if (top.sawElse) {
            diag('preprocessor', ll.no, `#${dir} after #else (opened at line ${top.line})`);
          }
          const parentActive = inactive - (top.active ? 0 : 1) === 0;
          let v = false;
          if (dir === 'else') {
            top.sawElse = true;
            v = !top.taken;
          } else if (!top.taken && parentActive) v = evalIf(rest, ll.no);
          const was = top.active;
          if (top.assumes) {
            // leaving the config's branch (#else / #elif): the rest is not conditional on it
            assumed.set(top.assumes, assumed.get(top.assumes)! - 1);
            delete top.assumes;
          }
          top.active = parentActive && v && !top.taken;
          if (was !== top.active) inactive += top.active ? -1 : 1;
          top.taken ||= v;
          break;
        }
        case 'endif':
          {
            const popped = stack.pop();
            if (!popped) diag('preprocessor', ll.no, '#endif without #if');
            else {
              if (!popped.active) inactive--;
              if (popped.assumes) assumed.set(popped.assumes, assumed.get(popped.assumes)! - 1);
            }
          }
          break;
        case 'define': {
          if (!isActive) break;
          const d = DEFINE_RE.exec(rest);
          if (!d) {
            diag('preprocessor', ll.no, `#define ${JSON.stringify(rest.slice(0, 40))}: expected a macro name`);
            break;
          }
          const name = d[1]!;
          let params: string[] | null = null;
          if (d[2] !== undefined && rest[name.length] === '(') {
            params = d[3]!
              .split(',')
              .map((p) => p.trim())
              .filter((p) => p.length > 0);
            if (params.some((p) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(p))) {
              diag('preprocessor', ll.no, `#define ${name}: bad parameter list (${d[3]})`);
              break;
            }
          }
          const body = params ? d[4]! : rest.slice(name.length).trim();
          if (macros.size > 100000) {
            diag('limit', ll.no, 'more than 100000 macros; rest ignored');
            break;
          }
          const conditions = [...assumed].filter(([, n]) => n > 0).map(([c]) => c);
          macros.set(name, {
            name,
            params,
            body: body.trim(),
            file: f.path,
            line: ll.no,
            ...(conditions.length ? { conditions } : {}),
          });
          break;
        }
        case 'undef': {
          if (!isActive) break;
          const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest)?.[0];
          if (name) macros.delete(name);
          else diag('preprocessor', ll.no, '#undef without a macro name');
          break;
        }
        case 'include':
        case 'error':
        case 'warning':
        case 'pragma':
        case 'line':
        case '':
          break; // #include: files are given together; #error in a taken branch is not ours to judge
        default:
          if (isActive) diag('preprocessor', ll.no, `unknown directive #${dir}`);
      }
    }
    for (const c of stack) diag('preprocessor', c.line, 'unterminated #if (no #endif before end of file)');
  }
  return { macros, comments, diagnostics };
}
