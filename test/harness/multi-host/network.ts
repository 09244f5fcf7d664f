import type { RunState } from './run-state.js';
import { saveRunState } from './run-state.js';
import { pickFreeTenOctets } from '../free-ten-block.js';
import { mustSync } from './run-command.js';

/** Private /16s of 10.0.0.0/8 this run uses: for veths, the engines' bridges, the cluster's networks. */
export interface RunSubnets {
  veth: number;
  bridge: number;
  /** The manager's `--cluster-cidr` (node 0 shares the host's engine with other clusters). */
  cluster: number;
}

/** Picks three unused /16s at random between 10.100 and 10.249, so concurrent runs rarely race. */
export function pickSubnets(): RunSubnets {
  const [veth = 0, bridge = 0, cluster = 0] = pickFreeTenOctets(3);
  return { veth, bridge, cluster };
}

export interface NodeNetwork {
  namespace: string;
  hostVeth: string;
  /** The host side of the veth: what the agent in the namespace dials to reach the manager. */
  hostAddress: string;
  nodeAddress: string;
  /** --bip of the engine in the namespace. */
  bridgeCidr: string;
}

/**
 * A network namespace with a veth pair to the host (host side 10.V.i.1/24, namespace side .2,
 * default route via the host), FORWARD accept rules for the host side and a MASQUERADE rule for
 * its subnet, each rule tagged with the run's comment. Recorded in the run state before creation.
 */
export function createNodeNetwork(state: RunState, subnets: RunSubnets, index: number): NodeNetwork {
  const namespace = `shoal-${state.runId}-${index}`;
  const hostVeth = `sm${state.runId}h${index}`;
  const nsVeth = `sm${state.runId}n${index}`;
  const net: NodeNetwork = {
    namespace,
    hostVeth,
    hostAddress: `10.${subnets.veth}.${index}.1`,
    nodeAddress: `10.${subnets.veth}.${index}.2`,
    bridgeCidr: `10.${subnets.bridge}.${index}.1/24`,
  };
  state.namespaces.push(namespace);
  state.veths.push(hostVeth);
  saveRunState(state);
  const c = ['-m', 'comment', '--comment', state.ruleComment];
  const steps: [string, string[]][] = [
    ['ip', ['netns', 'add', namespace]],
    ['ip', ['link', 'add', hostVeth, 'type', 'veth', 'peer', 'name', nsVeth, 'netns', namespace]],
    ['ip', ['addr', 'add', `${net.hostAddress}/24`, 'dev', hostVeth]],
    ['ip', ['link', 'set', hostVeth, 'up']],
    ['ip', ['-n', namespace, 'link', 'set', 'lo', 'up']],
    ['ip', ['-n', namespace, 'addr', 'add', `${net.nodeAddress}/24`, 'dev', nsVeth]],
    ['ip', ['-n', namespace, 'link', 'set', nsVeth, 'up']],
    ['ip', ['-n', namespace, 'route', 'add', 'default', 'via', net.hostAddress]],
    // Inserted first: the host's FORWARD policy is DROP under Docker, and DOCKER-USER comes first.
    ['iptables', ['-I', 'FORWARD', '1', '-i', hostVeth, '-j', 'ACCEPT', ...c]],
    ['iptables', ['-I', 'FORWARD', '1', '-o', hostVeth, '-j', 'ACCEPT', ...c]],
    ['iptables', ['-t', 'nat', '-A', 'POSTROUTING', '-s', `10.${subnets.veth}.${index}.0/24`, '!', '-o', hostVeth, '-j', 'MASQUERADE', ...c]],
  ];
  for (const [cmd, args] of steps) mustSync(cmd, args);
  return net;
}

/** Link down on the host side: the namespace keeps its address but no packet crosses. */
export function setLink(hostVeth: string, up: boolean): void {
  mustSync('ip', ['link', 'set', hostVeth, up ? 'up' : 'down']);
}
