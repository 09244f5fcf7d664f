/** One scale call of a rolling upgrade to a new service. */
export interface RollingStep {
  which: 'new' | 'old';
  replicas: number;
}

/**
 * The scale calls that take NEW up to `target` and OLD down to 0, `batch` replicas at a time,
 * NEW first in each round (as rancher-compose did), so capacity never drops below what OLD had.
 */
export function rollingSteps(oldReplicas: number, newReplicas: number, target: number, batch: number): RollingStep[] {
  if (batch < 1) throw new RangeError('batch must be at least 1');
  const steps: RollingStep[] = [];
  let up = newReplicas;
  let down = oldReplicas;
  while (up < target || down > 0) {
    if (up < target) {
      up = Math.min(target, up + batch);
      steps.push({ which: 'new', replicas: up });
    }
    if (down > 0) {
      down = Math.max(0, down - batch);
      steps.push({ which: 'old', replicas: down });
    }
  }
  // NEW above the target (it had more already) comes down to it at the end.
  if (up > target) steps.push({ which: 'new', replicas: target });
  return steps;
}
