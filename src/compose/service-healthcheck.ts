import type { HealthcheckSpec } from '../api/service-spec.js';
import { readDuration } from './service-deploy.js';
import type { ServiceContext } from './service-context.js';
import type { Tree } from './yaml-tree.js';

/**
 * `healthcheck:` → Docker's form: a string test runs in a shell (CMD-SHELL), a list keeps its
 * CMD / CMD-SHELL / NONE prefix, `disable: true` is ["NONE"] (turns off the image's check).
 */
export function mapHealthcheck(ctx: ServiceContext, node: Tree): Partial<HealthcheckSpec> | undefined {
  const { r } = ctx;
  const map = r.map(node);
  if (!map) return undefined;
  r.checkKeys(map, ['test', 'interval', 'timeout', 'retries', 'start_period', 'start_interval', 'disable']);
  ctx.origin('healthcheck', map.at);
  if (map.entries.has('start_interval')) r.warn(map.at, 'ignored (not supported by Shoal: the interval applies from the start)', 'start_interval');
  const disable = r.bool(map.entries.get('disable'));
  const out: Partial<HealthcheckSpec> = {};
  const testNode = map.entries.get('test');
  if (disable) {
    out.test = ['NONE'];
  } else if (testNode?.kind === 'scalar' && typeof testNode.value === 'string') {
    out.test = ['CMD-SHELL', testNode.value];
  } else if (testNode) {
    const test = r.strings(testNode);
    if (!test) return undefined;
    if (!['CMD', 'CMD-SHELL', 'NONE'].includes(test[0] ?? '')) {
      r.error(testNode.at, 'a list must start with "CMD", "CMD-SHELL" or "NONE"');
      return undefined;
    }
    out.test = test;
    ctx.origin('healthcheck.test', testNode.at);
  } else {
    r.error(map.at, "is required (Shoal cannot change only the timing of the image's own check)", 'test');
    return undefined;
  }
  const ms = (key: string, field: 'intervalMs' | 'timeoutMs' | 'startPeriodMs'): void => {
    const n = readDuration(r, map.entries.get(key));
    if (n !== undefined) out[field] = n;
  };
  ms('interval', 'intervalMs');
  ms('timeout', 'timeoutMs');
  ms('start_period', 'startPeriodMs');
  const retries = r.int(map.entries.get('retries'));
  if (retries !== undefined) out.retries = retries;
  return out;
}
