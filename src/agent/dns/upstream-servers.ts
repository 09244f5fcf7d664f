import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';

export interface Upstream {
  address: string;
  port: number;
}

/**
 * The host's resolvers from resolv.conf text, in order. Loopback resolvers (systemd-resolved's
 * 127.0.0.53, a local dnsmasq) are kept: the agent runs on the host, so it reaches them where
 * a container could not. Only our own listening address is skipped, since forwarding to it
 * would loop.
 */
export function parseResolvConf(text: string, self?: Upstream): Upstream[] {
  const out: Upstream[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*nameserver\s+(\S+)/.exec(line);
    if (!m?.[1]) continue;
    // A scoped IPv6 address (fe80::1%eth0) keeps its zone: dgram needs it to send.
    const address = m[1];
    if (isIP(address.split('%')[0] ?? '') === 0) continue;
    if (self && address === self.address && self.port === 53) continue;
    if (!out.some((u) => u.address === address)) out.push({ address, port: 53 });
  }
  return out;
}

export async function hostUpstreams(self?: Upstream, path = '/etc/resolv.conf'): Promise<Upstream[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return [];
  }
  return parseResolvConf(text, self);
}
