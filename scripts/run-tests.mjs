// Runs node's test runner over the TypeScript tests: unit tests (src/**) in parallel, then the
// multi-process and real-Docker tests (test/**) one file at a time, since they share one engine
// and two cores. Prints one closing line "N passed, N failed" over both runs.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

const which = process.argv[2] ?? 'all';
const find = (dir) =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.test.ts'))
    .map((e) => join(e.parentPath ?? e.path, e.name))
    .sort();

const groups = [];
if (which === 'all' || which === 'unit') groups.push({ name: 'unit', files: find('src'), concurrency: 2 });
if (which === 'all' || which === 'docker') groups.push({ name: 'real Docker and multi-process', files: find('test'), concurrency: 1 });

const dir = mkdtempSync(join(tmpdir(), 'shoal-tests-'));
let passed = 0;
let failed = 0;
let status = 0;
for (const g of groups) {
  if (g.files.length === 0) continue;
  console.log(`== ${g.name} tests (${g.files.length} files)`);
  const tap = join(dir, `${g.name.replace(/\W+/g, '-')}.tap`);
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--test', `--test-concurrency=${g.concurrency}`, '--test-reporter=spec', '--test-reporter-destination=stdout', '--test-reporter=tap', `--test-reporter-destination=${tap}`, ...g.files],
    { stdio: 'inherit' },
  );
  const text = readFileSync(tap, 'utf8');
  passed += Number(/^# pass (\d+)/m.exec(text)?.[1] ?? 0);
  failed += Number(/^# fail (\d+)/m.exec(text)?.[1] ?? 0);
  if (r.status !== 0) status = r.status ?? 1;
}
rmSync(dir, { recursive: true, force: true });
console.log(`${passed} passed, ${failed} failed`);
process.exit(status !== 0 ? status : failed > 0 ? 1 : passed === 0 ? 1 : 0);
