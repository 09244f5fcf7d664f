import { createHash } from 'node:crypto';

const macPattern = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

/** Lower-case `aa:bb:cc:dd:ee:ff`, or undefined when the text is not a MAC address. */
export function normaliseMac(text: string): string | undefined {
  const mac = text.toLowerCase();
  return macPattern.test(mac) ? mac : undefined;
}

/** A VTEP MAC must be unicast: peers' FDB entries for a multicast one would flood. */
export function isUnicastMac(mac: string): boolean {
  const first = Number.parseInt(mac.slice(0, 2), 16);
  return (first & 1) === 0;
}

/**
 * A stable, locally administered unicast MAC for a node's VXLAN device, derived from a seed
 * (the node id). The kernel gives a new random MAC each time the device is created; a stable
 * one means a recreated device (agent restart, reboot) does not leave every peer's neighbour
 * and FDB entries pointing at a MAC that no longer exists until the store catches up.
 */
export function deriveVtepMac(seed: string): string {
  const bytes = createHash('sha256').update(`shoal-vtep:${seed}`).digest().subarray(0, 6);
  // Set the locally-administered bit, clear the multicast bit.
  bytes[0] = ((bytes[0] ?? 0) | 0x02) & 0xfe;
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(':');
}
