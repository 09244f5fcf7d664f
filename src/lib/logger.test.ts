import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ESLint, Linter } from 'eslint';
import { createLogger, logCensor, redactedLogFields, type Logger } from './logger.js';

const repoRoot = join(import.meta.dirname, '..', '..');

/** Logs one line carrying each sensitive field at the top, one and two levels down. */
function logEveryField(logger: Logger): Record<string, string> {
  const values: Record<string, string> = {};
  const top: Record<string, unknown> = {};
  const nested: Record<string, unknown> = {};
  const deeper: Record<string, unknown> = {};
  for (const f of redactedLogFields) {
    for (const [where, into] of [['top', top], ['nested', nested], ['deeper', deeper]] as const) {
      const value = `value-of-${f}-${where}-${Math.random().toString(36).slice(2)}`;
      values[`${where}.${f}`] = value;
      into[f] = value;
    }
  }
  logger.info({ ...top, err: nested, req: { headers: deeper } }, 'every sensitive field');
  return values;
}

function assertRedacted(lines: string, values: Record<string, string>): void {
  assert.ok(lines.includes('every sensitive field'), 'the line was written');
  for (const [where, value] of Object.entries(values)) assert.ok(!lines.includes(value), `${where} is redacted`);
  const line = JSON.parse(lines.split('\n').find((l) => l.includes('every sensitive field')) ?? '{}') as Record<string, Record<string, Record<string, unknown>>>;
  for (const f of redactedLogFields) {
    assert.equal(line[f], logCensor, f);
    assert.equal(line.err?.[f], logCensor, `err.${f}`);
    assert.equal(line.req?.headers?.[f], logCensor, `req.headers.${f}`);
  }
}

test('createLogger redacts every sensitive field, to a stream, in a child logger, with base fields', () => {
  let out = '';
  const logger = createLogger('t', { level: 'debug', base: { process: 'test' }, destination: { write: (s: string) => void (out += s) } });
  const values = logEveryField(logger);
  assertRedacted(out, values);
  assert.match(out, /"process":"test"/);
  out = '';
  const childValues = logEveryField(logger.child({ component: 'agent' }));
  assertRedacted(out, childValues);
  assert.match(out, /"component":"agent"/);
});

test('createLogger redacts every sensitive field in a log file (shoal up), made 0600 in a 0700 folder whatever the umask', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-logger-'));
  try {
    const file = join(dir, 'logs', 'shoal.log');
    const previousUmask = process.umask(0o022);
    let logger: Logger;
    try {
      logger = createLogger('shoal', { destination: { file, sync: true } });
    } finally {
      process.umask(previousUmask);
    }
    const values = logEveryField(logger);
    logger.flush();
    assertRedacted(readFileSync(file, 'utf8'), values);
    assert.equal(statSync(file).mode & 0o777, 0o600, 'the log is for its owner only');
    assert.equal(statSync(join(dir, 'logs')).mode & 0o777, 0o700);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the level comes from the option or a string', () => {
  assert.equal(createLogger('t', 'silent').level, 'silent');
  assert.equal(createLogger('t', { level: 'warn' }).level, 'warn');
});

// Every process (`shoal manager`, `shoal agent`, `shoal up`) and every component gets its logger
// from createLogger: lint refuses a pino import in any other file, so none can build its own
// logger with a shorter redact list (as the agent command once did).
test('lint refuses importing pino anywhere but src/lib/logger.ts: the daemons use the factory', async () => {
  const eslint = new ESLint({ cwd: repoRoot });
  const files = execFileSync('git', ['ls-files', '*.ts'], { cwd: repoRoot, encoding: 'utf8' }).split('\n').filter((f) => f !== '' && !f.startsWith('src/web/static/'));
  for (const daemon of ['src/cli/daemon/agent-command.ts', 'src/cli/daemon/manager-command.ts', 'src/manager/embedded.ts']) assert.ok(files.includes(daemon), daemon);
  const linter = new Linter({ configType: 'flat' });
  for (const file of files) {
    const config = (await eslint.calculateConfigForFile(file)) as { rules?: Record<string, Linter.RuleEntry> } | undefined;
    const rule = config?.rules?.['no-restricted-imports'];
    const problems = rule ? linter.verify("import { pino } from 'pino';\nexport const p = pino;\n", { rules: { 'no-restricted-imports': rule } }) : [];
    if (file === 'src/lib/logger.ts') assert.equal(problems.length, 0, 'the factory itself may import pino');
    else assert.ok(problems.some((p) => p.ruleId === 'no-restricted-imports'), `${file} may not import pino`);
  }
});
