import type { Command } from 'commander';
import { repeatable } from '../options.js';

/** Flags `service create` and `service update` share, named as in `docker service`. */
function addCommonOptions(cmd: Command): void {
  cmd
    .option('--replicas-max-per-node <n>', 'at most this many tasks per node (0: no limit)')
    .option('--reserve-cpu <cpus>', 'CPUs reserved per task, e.g. 0.5')
    .option('--reserve-memory <size>', 'memory reserved per task, e.g. 64M')
    .option('--limit-cpu <cpus>', 'CPU limit per task')
    .option('--limit-memory <size>', 'memory limit per task, e.g. 1.5G')
    .option('--restart-condition <cond>', 'restart when: any, on-failure or none')
    .option('--restart-delay <duration>', 'wait between restarts, e.g. 5s')
    .option('--restart-max-attempts <n>', 'give up after this many restarts (0: never)')
    .option('--restart-window <duration>', 'window over which restarts are counted')
    .option('--stop-signal <signal>', 'signal that stops the container, e.g. SIGTERM')
    .option('--stop-grace-period <duration>', 'time to wait before killing the container');
  for (const kind of ['update', 'rollback'] as const) {
    cmd
      .option(`--${kind}-parallelism <n>`, `tasks replaced at once during ${kind === 'update' ? 'an update' : 'a rollback'} (0: all)`)
      .option(`--${kind}-delay <duration>`, 'wait between batches')
      .option(`--${kind}-order <order>`, 'stop-first or start-first')
      .option(`--${kind}-failure-action <action>`, 'on failure: pause, rollback or continue')
      .option(`--${kind}-monitor <duration>`, 'how long a new task is watched for failure')
      .option(`--${kind}-max-failure-ratio <ratio>`, 'failures tolerated, 0 to 1');
  }
  cmd
    .option('-w, --workdir <dir>', 'working directory inside the container')
    .option('-u, --user <user>', 'user[:group] the container runs as')
    .option('--hostname <name>', 'container hostname')
    .option('--entrypoint <command>', 'override the image entrypoint (words split on spaces)')
    .option('--history-limit <n>', 'old tasks kept per slot')
    .option('-d, --detach', 'return at once instead of waiting for the service to converge');
}

export function addCreateOptions(cmd: Command): Command {
  cmd
    .option('--name <name>', 'service name (default: from the image name)')
    .option('--mode <mode>', 'replicated or global')
    .option('--replicas <n>', 'number of tasks (replicated mode)');
  repeatable(cmd, '--constraint <expr>', 'placement constraint, e.g. node.labels.zone==a (repeatable)');
  repeatable(cmd, '--placement-pref <pref>', 'spread=node.labels.KEY (repeatable)');
  repeatable(cmd, '-p, --publish <port>', 'publish a port: 8080:80, 8080:80/udp or published=8080,target=80 (repeatable)');
  repeatable(cmd, '--mount <mount>', 'type=bind|volume|tmpfs,source=...,target=...[,readonly] (repeatable)');
  repeatable(cmd, '--secret <secret>', 'mount a secret: NAME or source=NAME,target=FILE,uid=,gid=,mode=0400 (at /run/secrets/; repeatable)');
  repeatable(cmd, '--config <config>', 'mount a config: NAME or source=NAME,target=/PATH,mode=0444 (repeatable)');
  repeatable(cmd, '-e, --env <KEY=VALUE>', 'environment variable (repeatable)');
  repeatable(cmd, '-l, --label <key=value>', 'service label (repeatable)');
  repeatable(cmd, '--container-label <key=value>', 'container label (repeatable)');
  addCommonOptions(cmd);
  cmd.option('--init', 'run an init process inside the container');
  return cmd;
}

export function addUpdateOptions(cmd: Command): Command {
  cmd
    .option('--image <image>', 'new image')
    .option('--force', 'replace every task even if the spec did not change')
    .option('--args <args>', 'new container arguments (words split on spaces; "" for none)')
    .option('--replicas <n>', 'number of tasks');
  for (const [name, what] of [
    ['env', 'environment variable (KEY=VALUE; remove by KEY)'],
    ['label', 'service label (key=value; remove by key)'],
    ['container-label', 'container label (key=value; remove by key)'],
    ['constraint', 'placement constraint'],
    ['placement-pref', 'placement preference spread=node.labels.KEY'],
    ['publish', 'published port (add: 8080:80; remove by published or target port)'],
    ['mount', 'mount (add: type=...,target=...; remove by target)'],
    ['secret', 'secret (add: source=NAME,target=...; remove by name)'],
    ['config', 'config (add: source=NAME,target=...; remove by name)'],
  ] as const) {
    repeatable(cmd, `--${name}-add <value>`, `add or replace: ${what}`);
    repeatable(cmd, `--${name}-rm <value>`, `remove: ${what}`);
  }
  addCommonOptions(cmd);
  cmd.option('--init', 'run an init process inside the container').option('--no-init', 'do not run an init process');
  return cmd;
}
