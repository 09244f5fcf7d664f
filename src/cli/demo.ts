import { createServer } from 'node:net';
import type { ServiceSpecInput } from '../api/service-spec.js';
import type { ShoalClient } from '../client/shoal-client.js';

const demoImage = 'shoal-test/busybox:1';

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '0.0.0.0', () => srv.close(() => resolve(true)));
  });
}

async function firstFreePort(from: number): Promise<number | undefined> {
  for (let p = from; p < from + 20; p++) if (await portFree(p)) return p;
  return undefined;
}

/**
 * What `shoal up --demo` deploys the first time: a web server published on the host and a few
 * workers that log, so `service ps`, `logs`, `scale` and `update` have something to show.
 * Uses the local image that scripts/build-test-images.sh builds, since no registry may be reachable.
 */
export async function deployDemo(client: ShoalClient, say: (line: string) => void): Promise<void> {
  const existing = new Set((await client.listServices()).map((s) => s.name));
  if (!existing.has('hello')) {
    const port = await firstFreePort(8080);
    const spec: ServiceSpecInput = {
      image: demoImage,
      replicas: 1,
      stopSignal: 'SIGKILL',
      ports: port ? [{ target: 80, published: port }] : [{ target: 80 }],
      updateConfig: { parallelism: 1, delayMs: 1000, monitorMs: 2000, failureAction: 'rollback' },
    };
    await client.createService({ name: 'hello', spec });
    say(port ? `demo: service "hello" serves http://127.0.0.1:${port}/` : 'demo: service "hello" created');
  }
  if (!existing.has('workers')) {
    await client.createService({
      name: 'workers',
      spec: {
        image: demoImage,
        replicas: 3,
        init: true,
        command: ['/bin/sh', '-c'],
        args: ['while true; do echo "worker $(hostname) at $(date)"; sleep 5; done'],
        updateConfig: { parallelism: 2, delayMs: 1000, monitorMs: 2000 },
      },
    });
    say('demo: service "workers" (3 replicas) created');
  }
}
