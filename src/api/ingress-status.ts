/**
 * Whether published ports answer. The manager plans the ingress rules, but a port answers on a
 * node only once that node's agent has bound it and routes it to the service's current tasks;
 * the agent says so after each plan it applies (message `ingress`), and the manager keeps it
 * in the node's status, so any manager can tell, and `--wait` and the UI read it per service.
 */

/** A published port the node's ingress proxy has bound, with the addresses it forwards to. */
export interface IngressPortStatus {
  protocol: 'tcp' | 'udp';
  port: number;
  backends: string[];
}

/** A published port the node could not bind (in use by another program, say). */
export interface IngressPortError {
  protocol: 'tcp' | 'udp';
  port: number;
  message: string;
}

/**
 * `node.status.ingress`: what the node's ingress proxy serves, as its agent last reported it.
 * Present only for nodes whose agent runs the ingress (simulated agents do not); emptied when
 * the agent connects, until it has applied the manager's plan again.
 */
export interface NodeIngressStatus {
  ports: IngressPortStatus[];
  errors: IngressPortError[];
  /** When the agent reported it; absent while nothing was reported since the agent connected. */
  reportedAt?: string;
}

/** Why a node does not answer a service's published ports yet. */
export interface PortsNotReady {
  nodeId: string;
  hostname: string;
  reason: string;
  /** The port cannot be bound there: it will not answer until something changes on the node. */
  failed?: boolean;
}

/**
 * `ServiceView.ports`, for a service publishing ports in ingress mode: on how many ready nodes
 * of its environment (that run the ingress) every such port is bound and routed to exactly the
 * service's running, healthy tasks, as the manager plans them.
 */
export interface ServicePortsReadiness {
  nodes: number;
  ready: number;
  /** The nodes not ready yet, with the reason. */
  waiting: PortsNotReady[];
}
