/**
 * One table as `iptables -t TABLE -S` prints it: the chains that exist (built-in ones from `-P`
 * lines, user ones from `-N` lines) and each chain's rules as printed (`-A CHAIN ...`), in order.
 * Rules are kept as text: rendering writes rules in the form iptables prints them, so comparing
 * text is comparing rules.
 */
export interface IptablesListing {
  chains: Map<string, string[]>;
}

export function parseIptablesListing(text: string): IptablesListing {
  const chains = new Map<string, string[]>();
  const chain = (name: string): string[] => {
    let rules = chains.get(name);
    if (!rules) chains.set(name, (rules = []));
    return rules;
  };
  for (const raw of text.split('\n')) {
    const line = raw.trim().replace(/\s+/g, ' ');
    const [op, name] = line.split(' ');
    if (name === undefined) continue;
    if (op === '-P' || op === '-N') chain(name);
    else if (op === '-A') chain(name).push(line);
  }
  return { chains };
}

/** `-A CHAIN -j TARGET` with no match before the target: the chain ends there for every packet. */
export function isUnconditionalVerdict(rule: string): boolean {
  return /^-A \S+ -j (ACCEPT|DROP|RETURN|REJECT)( --reject-with \S+)?$/.test(rule);
}
