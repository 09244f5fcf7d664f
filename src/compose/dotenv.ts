import { interpolate, newExpansionBudget, referencedVariables, type Lookup } from './interpolate.js';

/**
 * `.env` and `env_file` contents as compose reads them: `KEY=VALUE` lines, `export KEY=VALUE`,
 * `#` comments (inline ones after a space, in unquoted values), single quotes (literal),
 * double quotes (escapes `\n \t \r \\ \"`, may span lines), and interpolation of unquoted and
 * double-quoted values from `lookup` first, then the keys defined above in the same file.
 * A line `KEY` alone takes the variable's value (entry value undefined: the caller looks it up).
 */
export interface DotenvEntry {
  key: string;
  value: string | undefined;
  line: number;
}

export interface DotenvResult {
  entries: DotenvEntry[];
  problems: Array<{ line: number; message: string }>;
  /** Unset variables used without a default, with the line of their first use. */
  missing: Array<{ name: string; line: number }>;
  /** Every variable the file names (in values, and as bare `KEY` lines). */
  names: string[];
}

const keyPattern = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

export function parseDotenv(content: string, lookup: Lookup): DotenvResult {
  const lines = content.replace(/^\uFEFF/, '').split(/\r?\n/);
  const own = new Map<string, string>();
  const result: DotenvResult = { entries: [], problems: [], missing: [], names: [] };
  // One budget for the file: `B=$A$A`, `C=$B$B`, ... doubles at every line.
  const budget = newExpansionBudget();
  const names = new Set<string>();
  const chained: Lookup = (name) => lookup(name) ?? own.get(name);
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const text = (lines[i] ?? '').trim();
    if (text === '' || text.startsWith('#')) continue;
    const body = text.replace(/^export\s+/, '');
    const eq = body.indexOf('=');
    const key = (eq < 0 ? body : body.slice(0, eq)).trim();
    if (!keyPattern.test(key)) {
      result.problems.push({ line: lineNo, message: `"${key.slice(0, 40)}" is not a variable name` });
      continue;
    }
    if (eq < 0) {
      names.add(key);
      result.entries.push({ key, value: undefined, line: lineNo });
      continue;
    }
    let raw = body.slice(eq + 1).trimStart();
    let value: string;
    let expandIt = true;
    const quote = raw[0];
    if (quote === '"' || quote === "'") {
      // A quoted value may continue on the next lines until its closing quote.
      let close = findClose(raw, quote);
      while (close < 0 && i + 1 < lines.length) {
        raw += `\n${lines[++i] ?? ''}`;
        close = findClose(raw, quote);
      }
      if (close < 0) {
        result.problems.push({ line: lineNo, message: `${key}: no closing ${quote}` });
        continue;
      }
      const inner = raw.slice(1, close);
      const after = raw.slice(close + 1).trim();
      if (after !== '' && !after.startsWith('#')) {
        result.problems.push({ line: lineNo, message: `${key}: unexpected text after the closing quote` });
        continue;
      }
      if (quote === "'") {
        value = inner;
        expandIt = false;
      } else {
        value = inner.replace(/\\([nrt"\\])/g, (_m, c: string) => ({ n: '\n', r: '\r', t: '\t' })[c] ?? c);
      }
    } else {
      value = raw.replace(/\s+#.*$/, '').trim();
    }
    if (expandIt) {
      const refs = referencedVariables(value);
      if (typeof refs !== 'string') refs.forEach((n) => names.add(n));
      const expanded = interpolate(value, chained, budget);
      if (!expanded.ok) {
        result.problems.push({ line: lineNo, message: `${key}: ${expanded.message}` });
        continue;
      }
      for (const name of expanded.missing) result.missing.push({ name, line: lineNo });
      value = expanded.value;
    }
    own.set(key, value);
    result.entries.push({ key, value, line: lineNo });
  }
  result.names = [...names];
  return result;
}

function findClose(text: string, quote: string): number {
  for (let i = 1; i < text.length; i++) {
    if (quote === '"' && text[i] === '\\') i++;
    else if (text[i] === quote) return i;
  }
  return -1;
}
