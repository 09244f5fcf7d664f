/**
 * Placement constraints as `docker service create --constraint` writes them:
 * `node.labels.KEY==VALUE`, `node.labels.KEY!=VALUE`, `node.hostname==h`, `node.role==manager`,
 * `node.id==ID`, `node.platform.os==linux`, `node.platform.arch==x86_64`.
 */
export interface Constraint {
  key: string;
  operator: '==' | '!=';
  value: string;
  /** The text as the user wrote it, for messages. */
  text: string;
}

const plainKeys = new Set(['node.id', 'node.hostname', 'node.role', 'node.platform.os', 'node.platform.arch']);
const labelKey = /^node\.labels\.[A-Za-z0-9_.\-/]+$/;
const shape = /^\s*([^=!\s]+)\s*(==|!=)\s*(\S.*?)\s*$/;

/** Parses one constraint; returns a message instead when it is malformed. */
export function parseConstraint(text: string): Constraint | string {
  const m = shape.exec(text);
  if (!m) return `"${text}" is not a constraint: expected KEY==VALUE or KEY!=VALUE`;
  const [, key = '', operator = '==', value = ''] = m;
  if (!plainKeys.has(key) && !labelKey.test(key)) {
    return `"${key}" is not a constraint key: use node.labels.KEY, node.hostname, node.role, node.id, node.platform.os or node.platform.arch`;
  }
  if (key === 'node.role' && value !== 'manager' && value !== 'worker') {
    return `node.role must be "manager" or "worker", not "${value}"`;
  }
  return { key, operator: operator as '==' | '!=', value, text };
}

/** Attribute a constraint key reads from a node, or undefined when the node lacks it. */
export interface ConstraintSubject {
  id: string;
  hostname: string;
  role: string;
  labels: Record<string, string>;
  os: string;
  arch: string;
}

export function constraintValue(subject: ConstraintSubject, key: string): string | undefined {
  switch (key) {
    case 'node.id':
      return subject.id;
    case 'node.hostname':
      return subject.hostname;
    case 'node.role':
      return subject.role;
    case 'node.platform.os':
      return subject.os;
    case 'node.platform.arch':
      return subject.arch;
    default:
      return subject.labels[key.slice('node.labels.'.length)];
  }
}

export function constraintMatches(c: Constraint, subject: ConstraintSubject): boolean {
  const actual = constraintValue(subject, c.key);
  // Docker matches case-insensitively and treats a missing label as not equal.
  const equal = actual !== undefined && actual.toLowerCase() === c.value.toLowerCase();
  return c.operator === '==' ? equal : !equal;
}
