import type Docker from 'dockerode';
import { shoalLabels } from '../../src/agent/exec/executor.js';
import { netfilterTag } from '../../src/api/networks.js';
import { NetfilterProgrammer } from '../../src/agent/netfilter/netfilter-programmer.js';
import { hostRunner } from '../../src/agent/overlay/command-runner.js';

/**
 * What a node's agent leaves on the host when it is killed: the engine's bridge networks it
 * made (labelled with its node id) and its packet filter chains (`netfilterTag`). Its
 * containers must be gone first.
 */
export async function removeNodeNetworking(docker: Docker, nodeId: string): Promise<void> {
  const networks = await docker.listNetworks({ filters: { label: [`${shoalLabels.node}=${nodeId}`] } }).catch(() => []);
  for (const n of networks) await (docker.getNetwork(n.Id).remove() as Promise<unknown>).catch(() => undefined);
  await new NetfilterProgrammer(hostRunner()).remove(netfilterTag(nodeId)).catch(() => undefined);
}
