import { runSync } from './multi-host/run-command.js';

/** Second octets of 10.x.0.0/16 already present in any route or address of the host. */
function usedTenOctets(): Set<number> {
  const text = runSync('ip', ['-4', 'route', 'show', 'table', 'all']).stdout + runSync('ip', ['-4', 'addr', 'show']).stdout;
  const used = new Set<number>();
  for (const m of text.matchAll(/\b10\.(\d{1,3})\./g)) used.add(Number(m[1]));
  // 10.0.0.0/8 itself routed somewhere: take nothing for granted.
  if (/\b10\.0\.0\.0\/8\b/.test(text)) for (let i = 0; i < 256; i++) used.add(i);
  return used;
}

/**
 * Second octets of `count` distinct 10.x.0.0/16 blocks no route or address of the host uses,
 * picked at random between 10.100 and 10.229 (clear of the default cluster block 10.240.0.0/12
 * and of the fixed blocks some tests use above it), so concurrent runs (other test files,
 * other people's runs on the same engine) rarely pick the same.
 */
export function pickFreeTenOctets(count: number): number[] {
  const used = usedTenOctets();
  const free: number[] = [];
  for (let x = 100; x < 230; x++) if (!used.has(x)) free.push(x);
  if (free.length < count) throw new Error(`fewer than ${count} free 10.x.0.0/16 between 10.100 and 10.229 on this host`);
  return Array.from({ length: count }, () => free.splice(Math.floor(Math.random() * free.length), 1)[0] ?? 0);
}

/**
 * `--cluster-cidr` for a test cluster: a free /16 of its own. Every cluster would otherwise take
 * the default 10.240.0.0/12 and the same first ranges in it, and clusters sharing the machine's
 * engine (two test files, or two people's runs, at once) would find each other's networks in
 * their way: a task then waits for its networks and fails.
 */
export function testClusterCidr(octet = pickFreeTenOctets(1)[0] ?? 0): string {
  return `10.${octet}.0.0/16`;
}
