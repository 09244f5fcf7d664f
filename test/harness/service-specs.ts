import type { ServiceSpecInput } from '../../src/api/service-spec.js';

/** A fast-stopping web service on the test image: httpd as PID 1 ignores SIGTERM. */
export function webSpec(overrides: Partial<ServiceSpecInput> = {}): ServiceSpecInput {
  return {
    image: 'shoal-test/busybox:1',
    replicas: 1,
    stopSignal: 'SIGKILL',
    stopGracePeriodMs: 2000,
    restartPolicy: { condition: 'any', delayMs: 500 },
    ...overrides,
  };
}

export const uniqueName = (prefix: string): string => `${prefix}-${Date.now().toString(36)}${Math.floor(Math.random() * 1000)}`;
