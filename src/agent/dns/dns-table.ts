import { shoalZone, type DnsClient, type DnsResolution, type DnsServiceView, type DnsView } from '../../api/dns-view.js';

/**
 * One answer set, shared by every name that means it (`db`, `db.web`, `tasks.db`, …), so round
 * robin advances once per query whichever spelling the client used.
 */
class RecordSet {
  private next = 0;
  constructor(readonly ips: string[]) {}

  /** The addresses rotated by one more each call: clients that take the first spread out. */
  take(): string[] {
    const n = this.ips.length;
    if (n < 2) return this.ips.slice();
    const start = this.next % n;
    this.next = (start + 1) % n;
    return [...this.ips.slice(start), ...this.ips.slice(0, start)];
  }
}

/** The names of one environment, and of each of its stacks (a stack's own short names). */
interface EnvNames {
  /** Names valid anywhere in the environment, relative to `ENV.shoal.internal`. */
  names: Map<string, RecordSet>;
  /** Per stack: the short names its own containers use (`db`, `tasks.db`, aliases). */
  stacks: Map<string, Map<string, RecordSet>>;
}

export interface DnsTable {
  /** Who a query from this source address comes from; undefined for an unknown address. */
  clientFor(ip: string): DnsClient | undefined;
  /** The answer to an A question for `qname` from `client`; rotates the round robin. */
  resolve(qname: string, client: DnsClient): DnsResolution;
}

const lower = (s: string): string => s.toLowerCase();

/** Sets the name only if no earlier (higher-priority) kind of name already claimed it. */
function claim(map: Map<string, RecordSet>, name: string, set: RecordSet): void {
  if (!map.has(name)) map.set(name, set);
}

function uniqueIps(service: DnsServiceView): string[] {
  const ips = new Set<string>();
  for (const t of service.tasks) if (t.running && t.healthy && t.ip) ips.add(t.ip);
  return [...ips];
}

/**
 * Builds the resolver's name table from a view of the cluster. Pure; the result is immutable
 * except for the round-robin positions, so a server swaps whole tables on each change.
 *
 * Names a client in environment E and stack S may ask (case-insensitive, trailing dot allowed):
 * - `SERVICE`, `tasks.SERVICE`, `ALIAS`, `TASKNAME` — within S (then environment-wide names);
 * - `SERVICE.STACK`, `tasks.SERVICE.STACK`, `ALIAS.STACK`, `STACK_SERVICE` — any stack of E;
 * - a service outside any stack by its name, `tasks.NAME` and its aliases; any task by its name;
 * - each of those followed by `.E.shoal.internal` (what the search domains produce).
 * Priority when two kinds of name collide: services, then aliases, then task names.
 * Service names, `tasks.` names and aliases answer running and healthy tasks only; a task's own
 * name answers while it runs, healthy or not (it names one container, as `docker run` would).
 */
export function buildDnsTable(view: DnsView): DnsTable {
  const envs = new Map<string, EnvNames>();
  const clients = new Map<string, DnsClient & { running: boolean }>();
  const envOf = (env: string): EnvNames => {
    let e = envs.get(env);
    if (!e) envs.set(env, (e = { names: new Map(), stacks: new Map() }));
    return e;
  };
  const stackOf = (e: EnvNames, stack: string): Map<string, RecordSet> => {
    let s = e.stacks.get(stack);
    if (!s) e.stacks.set(stack, (s = new Map<string, RecordSet>()));
    return s;
  };

  // Three passes so priority does not depend on the order services come in.
  for (const svc of view.services) {
    const e = envOf(lower(svc.env));
    const name = lower(svc.name);
    const set = new RecordSet(uniqueIps(svc));
    if (svc.stack === undefined) {
      claim(e.names, name, set);
      claim(e.names, `tasks.${name}`, set);
    } else {
      const stack = lower(svc.stack);
      const s = stackOf(e, stack);
      claim(s, name, set);
      claim(s, `tasks.${name}`, set);
      claim(e.names, `${name}.${stack}`, set);
      claim(e.names, `tasks.${name}.${stack}`, set);
      claim(e.names, `${stack}_${name}`, set);
      claim(e.names, `tasks.${stack}_${name}`, set);
    }
  }

  // An alias several services share answers all of their tasks, as on a Docker network.
  const aliasIps = new Map<string, { env: string; stack?: string; alias: string; ips: Set<string> }>();
  for (const svc of view.services) {
    const env = lower(svc.env);
    const stack = svc.stack === undefined ? undefined : lower(svc.stack);
    for (const raw of svc.aliases) {
      const alias = lower(raw);
      const key = `${env}\0${stack ?? ''}\0${alias}`;
      let entry = aliasIps.get(key);
      if (!entry) aliasIps.set(key, (entry = { env, stack, alias, ips: new Set() }));
      for (const ip of uniqueIps(svc)) entry.ips.add(ip);
    }
  }
  for (const { env, stack, alias, ips } of aliasIps.values()) {
    const e = envOf(env);
    const set = new RecordSet([...ips]);
    if (stack === undefined) {
      claim(e.names, alias, set);
    } else {
      claim(stackOf(e, stack), alias, set);
      claim(e.names, `${alias}.${stack}`, set);
    }
  }

  for (const svc of view.services) {
    const env = lower(svc.env);
    const e = envOf(env);
    const stack = svc.stack === undefined ? undefined : lower(svc.stack);
    for (const t of svc.tasks) {
      if (!t.ip) continue;
      // Every task with an address is a known client, running or not: its container may ask
      // before the manager has heard that it runs. A running task wins an address it shares
      // with an old one.
      const known = clients.get(t.ip);
      if (!known || (!known.running && t.running)) clients.set(t.ip, { env, stack, taskId: t.id, running: t.running });
      if (!t.running) continue;
      const set = new RecordSet([t.ip]);
      const name = lower(t.name);
      claim(e.names, name, set);
      if (stack !== undefined) {
        claim(stackOf(e, stack), name, set);
        claim(e.names, `${name}.${stack}`, set);
      }
    }
  }

  const zoneSuffix = `.${shoalZone}`;
  return {
    clientFor(ip) {
      const c = clients.get(ip.startsWith('::ffff:') ? ip.slice(7) : ip);
      return c && { env: c.env, stack: c.stack, taskId: c.taskId };
    },
    resolve(qname, client) {
      let n = lower(qname);
      if (n.endsWith('.')) n = n.slice(0, -1);
      const env = lower(client.env);
      const e = envs.get(env);
      if (n === shoalZone) return { kind: 'records', ips: [] };
      if (n.endsWith(zoneSuffix)) {
        const envZone = `${env}${zoneSuffix}`;
        if (n === envZone) return { kind: 'records', ips: [] };
        // Another environment's names, or nothing at all: never forwarded, never answered.
        if (!n.endsWith(`.${envZone}`) || !e) return { kind: 'nxdomain' };
        const relative = n.slice(0, -(envZone.length + 1));
        const set = e.names.get(relative);
        if (set) return { kind: 'records', ips: set.take() };
        // `STACK.ENV.shoal.internal` exists (its services are below it): empty, not NXDOMAIN,
        // so resolvers do not conclude that nothing below it exists either.
        if (e.stacks.has(relative)) return { kind: 'records', ips: [] };
        return { kind: 'nxdomain' };
      }
      if (!e || n === '') return { kind: 'forward' };
      const own = client.stack === undefined ? undefined : e.stacks.get(lower(client.stack))?.get(n);
      const set = own ?? e.names.get(n);
      return set ? { kind: 'records', ips: set.take() } : { kind: 'forward' };
    },
  };
}
