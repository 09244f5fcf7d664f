import { composeLimits } from './compose-limits.js';

/**
 * compose's variable interpolation: `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`,
 * `${VAR:?error}`, `${VAR?error}`, `${VAR:+alt}`, `${VAR+alt}` and `$$` for a literal `$`.
 * Defaults, errors and alternatives are templates themselves (`${A:-${B}}`).
 */

/** A variable's value, or undefined when it is not set (an empty string is set). */
export type Lookup = (name: string) => string | undefined;

export type Interpolation =
  | { ok: true; value: string; /** Variables used without a default that are not set. */ missing: string[] }
  | { ok: false; message: string };

const namePattern = /^[_a-zA-Z][_a-zA-Z0-9]*/;

/**
 * Characters interpolation may still produce. Shared by the calls of one file (values can
 * repeat a large variable many times: `$BIG$BIG...`), so a small input cannot make gigabytes.
 */
export interface ExpansionBudget {
  chars: number;
}
export const newExpansionBudget = (): ExpansionBudget => ({ chars: composeLimits.expandedChars });

export class TemplateError extends Error {}

export function interpolate(text: string, lookup: Lookup, budget: ExpansionBudget = newExpansionBudget()): Interpolation {
  const missing: string[] = [];
  try {
    const value = expand(text, { lookup, missing, names: undefined, budget }, 0);
    budget.chars -= value.length;
    return { ok: true, value, missing };
  } catch (e) {
    if (e instanceof TemplateError) return { ok: false, message: e.message };
    throw e;
  }
}

/** Every variable the text names (in defaults too), or a message when the text is malformed. */
export function referencedVariables(text: string): string[] | string {
  const names = new Set<string>();
  try {
    expand(text, { lookup: () => undefined, missing: [], names, budget: newExpansionBudget() }, 0);
    return [...names];
  } catch (e) {
    if (e instanceof TemplateError) return e.message;
    throw e;
  }
}

interface Context {
  lookup: Lookup;
  missing: string[];
  /** Set when only collecting names: every branch is then expanded, whatever the values. */
  names: Set<string> | undefined;
  budget: ExpansionBudget;
}

/** `depth`: how many templates this text is nested in (`${A:-${B}}`), bounded so deep nesting is refused, not a stack overflow. */
function expand(text: string, ctx: Context, depth: number): string {
  if (depth > composeLimits.interpolationDepth) throw new TemplateError(`interpolation nested deeper than ${composeLimits.interpolationDepth} levels ("\${A:-\${B:-...}}")`);
  let out = '';
  let i = 0;
  while (i < text.length) {
    if (out.length > ctx.budget.chars) throw new TemplateError(`interpolation expands to more than ${composeLimits.expandedChars} characters`);
    const dollar = text.indexOf('$', i);
    if (dollar < 0) {
      out += text.slice(i);
      break;
    }
    out += text.slice(i, dollar);
    const next = text[dollar + 1];
    if (next === '$') {
      out += '$';
      i = dollar + 2;
    } else if (next === '{') {
      const end = closingBrace(text, dollar + 2);
      if (end < 0) throw new TemplateError(`invalid interpolation "${text.slice(dollar)}": no closing "}"`);
      out += braced(text.slice(dollar + 2, end), ctx, depth);
      i = end + 1;
    } else {
      const name = namePattern.exec(text.slice(dollar + 1))?.[0];
      if (!name) throw new TemplateError(`invalid interpolation "${text.slice(dollar, dollar + 2)}": write "$$" for a literal "$"`);
      out += plain(name, ctx);
      i = dollar + 1 + name.length;
    }
  }
  return out;
}

function closingBrace(text: string, from: number): number {
  let depth = 1;
  for (let i = from; i < text.length; i++) {
    if (text[i] === '$' && text[i + 1] === '$') i++;
    else if (text[i] === '$' && text[i + 1] === '{') {
      depth++;
      i++;
    } else if (text[i] === '}' && --depth === 0) return i;
  }
  return -1;
}

function plain(name: string, ctx: Context): string {
  ctx.names?.add(name);
  const value = ctx.lookup(name);
  if (value === undefined) {
    if (!ctx.missing.includes(name)) ctx.missing.push(name);
    return '';
  }
  return value;
}

function braced(inner: string, ctx: Context, depth: number): string {
  const expand1 = (word: string): string => expand(word, ctx, depth + 1);
  const name = namePattern.exec(inner)?.[0];
  if (!name) throw new TemplateError(`invalid interpolation "\${${inner}}": expected a variable name`);
  const rest = inner.slice(name.length);
  if (rest === '') return plain(name, ctx);
  const op = /^(:-|-|:\?|\?|:\+|\+)/.exec(rest)?.[0];
  if (!op) throw new TemplateError(`invalid interpolation "\${${inner}}": unknown operator "${rest.slice(0, 2)}"`);
  const word = rest.slice(op.length);
  ctx.names?.add(name);
  const value = ctx.lookup(name);
  const unsetOrEmpty = value === undefined || value === '';
  const unset = value === undefined;
  if (ctx.names) {
    expand1(word);
    return '';
  }
  switch (op) {
    case ':-':
      return unsetOrEmpty ? expand1(word) : value;
    case '-':
      return unset ? expand1(word) : value;
    case ':?':
    case '?':
      if (op === ':?' ? unsetOrEmpty : unset) {
        const why = expand1(word);
        throw new TemplateError(`required variable ${name} is ${unset ? 'not set' : 'empty'}${why ? `: ${why}` : ''}`);
      }
      return value as string;
    default:
      // `:+` and `+`: the alternative when set (and, for `:+`, not empty); nothing otherwise.
      return (op === ':+' ? !unsetOrEmpty : !unset) ? expand1(word) : '';
  }
}
