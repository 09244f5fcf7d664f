import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { allServiceKeys, mappedServiceKeys, refusedServiceKeys, warnedServiceKeys } from './service-keys.js';

/** The service keys of the Compose Specification's schema (compose-spec.json, 2025). */
const specServiceKeys = [
  'develop', 'deploy', 'annotations', 'attach', 'build', 'blkio_config', 'cap_add', 'cap_drop', 'cgroup', 'cgroup_parent',
  'command', 'configs', 'container_name', 'cpu_count', 'cpu_percent', 'cpu_shares', 'cpu_quota', 'cpu_period',
  'cpu_rt_period', 'cpu_rt_runtime', 'cpus', 'cpuset', 'credential_spec', 'depends_on', 'device_cgroup_rules', 'devices',
  'dns', 'dns_opt', 'dns_search', 'domainname', 'entrypoint', 'env_file', 'label_file', 'environment', 'expose', 'extends',
  'provider', 'external_links', 'extra_hosts', 'gpus', 'group_add', 'healthcheck', 'hostname', 'image', 'init', 'ipc',
  'isolation', 'labels', 'links', 'logging', 'mac_address', 'mem_limit', 'mem_reservation', 'mem_swappiness',
  'memswap_limit', 'network_mode', 'models', 'networks', 'oom_kill_disable', 'oom_score_adj', 'pid', 'pids_limit',
  'platform', 'ports', 'post_start', 'pre_stop', 'privileged', 'profiles', 'pull_policy', 'pull_refresh_after', 'read_only',
  'restart', 'runtime', 'scale', 'security_opt', 'shm_size', 'secrets', 'sysctls', 'stdin_open', 'stop_grace_period',
  'stop_signal', 'storage_opt', 'tmpfs', 'tty', 'ulimits', 'use_api_socket', 'user', 'uts', 'userns_mode', 'volumes',
  'volumes_from', 'working_dir',
];

test('every service key of the Compose Specification is honoured, warned or refused, once', () => {
  const unclassified = specServiceKeys.filter((k) => !allServiceKeys.includes(k));
  assert.deepEqual(unclassified, []);
  assert.equal(new Set(allServiceKeys).size, allServiceKeys.length, 'a key is in two lists');
});

test('docs/COMPOSE.md lists each key in the section that matches the code', () => {
  const doc = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'COMPOSE.md'), 'utf8');
  const section = (title: string): string => {
    const start = doc.indexOf(`### ${title}`);
    assert.ok(start >= 0, `section ${title}`);
    const end = doc.indexOf('\n#', start + 4);
    return doc.slice(start, end < 0 ? undefined : end);
  };
  // Keys named in the first column of a section's tables.
  const firstColumn = (text: string): Set<string> =>
    new Set(text.split('\n').filter((l) => l.startsWith('| `')).flatMap((l) => [...(l.split('|')[1] ?? '').matchAll(/`([a-z_-]+)`/g)].map((m) => m[1] as string)));
  const honoured = firstColumn(section('Honoured'));
  const warned = firstColumn(section('Ignored with a warning'));
  const refused = firstColumn(section('Refused'));
  for (const k of mappedServiceKeys) assert.ok(honoured.has(k), `${k} in Honoured`);
  for (const k of Object.keys(warnedServiceKeys)) assert.ok(warned.has(k), `${k} in Ignored with a warning`);
  for (const k of Object.keys(refusedServiceKeys)) assert.ok(refused.has(k), `${k} in Refused`);
});
