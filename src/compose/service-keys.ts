/**
 * What Shoal does with every service-level key of the Compose Specification. A key that is in
 * none of these lists is a typo or something newer than this table: an error naming it, never
 * silently dropped. docs/COMPOSE.md shows the same table (a test keeps them in step).
 */

/** Keys turned into the service spec (see service-mapper.ts). */
export const mappedServiceKeys = [
  'image', 'command', 'entrypoint', 'environment', 'env_file', 'ports', 'expose', 'volumes', 'tmpfs', 'networks',
  'depends_on', 'healthcheck', 'restart', 'labels', 'secrets', 'configs', 'working_dir', 'user', 'hostname',
  'stop_grace_period', 'stop_signal', 'init', 'deploy', 'scale', 'cpus', 'mem_limit', 'mem_reservation', 'profiles',
  'x-shoal',
] as const;

/** Keys ignored with a warning: leaving them out cannot make the application wrong or less safe. */
export const warnedServiceKeys: Record<string, string> = {
  container_name: 'ignored (Shoal names containers)',
  links: 'ignored (services reach each other by service name on the networks they share)',
  logging: "ignored (containers log to the engine's default driver; read them with `shoal service logs`)",
  attach: 'ignored (Shoal does not attach to containers)',
  tty: 'ignored (Shoal does not attach to containers)',
  stdin_open: 'ignored (Shoal does not attach to containers)',
  pull_policy: 'ignored (the agent pulls the image when it is missing)',
  pull_refresh_after: 'ignored (the agent pulls the image when it is missing)',
  platform: 'ignored (to choose nodes, use deploy.placement.constraints with node.platform.os / node.platform.arch)',
  annotations: 'ignored (not supported by Shoal)',
  develop: 'ignored (for `docker compose watch` only)',
  cpu_shares: 'ignored (not supported by Shoal; use deploy.resources)',
  cpu_percent: 'ignored (not supported by Shoal; use deploy.resources)',
  cpu_count: 'ignored (not supported by Shoal; use deploy.resources)',
  cpu_quota: 'ignored (not supported by Shoal; use deploy.resources.limits.cpus)',
  cpu_period: 'ignored (not supported by Shoal; use deploy.resources.limits.cpus)',
  cpu_rt_period: 'ignored (not supported by Shoal)',
  cpu_rt_runtime: 'ignored (not supported by Shoal)',
  cpuset: 'ignored (not supported by Shoal)',
  blkio_config: 'ignored (not supported by Shoal)',
  mem_swappiness: 'ignored (not supported by Shoal)',
  memswap_limit: 'ignored (not supported by Shoal)',
  oom_score_adj: 'ignored (not supported by Shoal)',
  oom_kill_disable: 'ignored (not supported by Shoal)',
  pids_limit: 'ignored (not supported by Shoal)',
  shm_size: "ignored (not supported by Shoal: the engine's default /dev/shm size applies)",
};

/**
 * Keys refused with an error: ignoring them would run the application differently from what the
 * file asks (missing devices, host namespaces, weaker isolation, files the manager cannot see).
 * A value that asks for nothing (false, an empty list or mapping) is accepted.
 */
export const refusedServiceKeys: Record<string, string> = {
  build: 'is not supported: Shoal deploys images; build and push the image, then name it in `image`',
  extends: 'is not supported: use YAML anchors and merge keys (`<<: *common`) instead',
  network_mode: 'is not supported: Shoal attaches containers to the stack\'s networks',
  privileged: 'is not supported by Shoal',
  cap_add: 'is not supported by Shoal',
  cap_drop: 'is not supported by Shoal',
  devices: 'is not supported by Shoal',
  device_cgroup_rules: 'is not supported by Shoal',
  gpus: 'is not supported by Shoal',
  security_opt: 'is not supported by Shoal',
  userns_mode: 'is not supported by Shoal',
  pid: 'is not supported by Shoal',
  ipc: 'is not supported by Shoal',
  uts: 'is not supported by Shoal',
  cgroup: 'is not supported by Shoal',
  cgroup_parent: 'is not supported by Shoal',
  isolation: 'is not supported by Shoal',
  runtime: 'is not supported by Shoal',
  sysctls: 'is not supported by Shoal',
  ulimits: 'is not supported by Shoal',
  storage_opt: 'is not supported by Shoal',
  read_only: 'is not supported by Shoal (a read-only root file system)',
  volumes_from: 'is not supported: share a named volume instead',
  external_links: 'is not supported: put the services on a shared external network',
  extra_hosts: 'is not supported by Shoal',
  dns: 'is not supported by Shoal',
  dns_opt: 'is not supported by Shoal',
  dns_search: 'is not supported by Shoal',
  domainname: 'is not supported by Shoal',
  mac_address: 'is not supported by Shoal',
  group_add: 'is not supported by Shoal',
  credential_spec: 'is not supported by Shoal',
  use_api_socket: 'is not supported by Shoal',
  provider: 'is not supported by Shoal',
  models: 'is not supported by Shoal',
  post_start: 'is not supported by Shoal (lifecycle hooks)',
  pre_stop: 'is not supported by Shoal (lifecycle hooks)',
  label_file: 'is not supported: write the labels in `labels`',
};

export const allServiceKeys: readonly string[] = [
  ...mappedServiceKeys,
  ...Object.keys(warnedServiceKeys),
  ...Object.keys(refusedServiceKeys),
];
