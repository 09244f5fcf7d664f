import { flagError } from '../flag-error.js';

/** "0.0.0.0:7420", "127.0.0.1:7420", "[::1]:7420" or ":7420" (all addresses). */
export function parseListenAddress(flag: string, text: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text.trim());
  const port = Number(m?.[3]);
  if (!m || !Number.isInteger(port) || port > 65535) throw flagError(flag, text, 'must be ADDRESS:PORT, e.g. 0.0.0.0:7420');
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}
