/**
 * The manager's agent port as `--join` gives it: `HOST:PORT`, `[IPv6]:PORT`, or an
 * `https://` URL. Returns the base URL the agent uses for join, renewal and its session.
 */
export function agentPortUrl(address: string): string {
  const text = address.trim().replace(/\/+$/, '');
  if (/^https:\/\//.test(text)) return text;
  if (/^[a-z]+:\/\//i.test(text)) throw new Error(`--join ${address}: the agent port speaks TLS; give HOST:PORT or https://HOST:PORT`);
  if (!/^(\[[0-9a-fA-F:.]+\]|[^:/[\]\s]+):\d{1,5}$/.test(text)) throw new Error(`--join ${address}: must be HOST:PORT (the manager's agent port, e.g. 10.0.0.1:7421)`);
  return `https://${text}`;
}
