import type { ServiceObject } from '../../api/objects.js';
import { fileKey, type FileKind } from '../../api/secrets.js';

/**
 * The service a rotation leaves behind: pinned to the new version, and rolled through its own
 * update config exactly as `service update --force` would.
 *
 * Why `forceUpdate` rather than a version inside the spec: a task's files are chosen by the pins
 * the orchestrator copies into it when it creates the task, and the rolling updater replaces
 * tasks whose spec differs from the service's. Bumping `forceUpdate` makes every running task
 * differ, so the ordinary update machinery (parallelism, delay, order, monitor, failure action,
 * `service inspect` showing the update) replaces them, and each replacement is created with the
 * new pin. The spec a user wrote keeps naming secrets without versions, and nothing in the
 * orchestrator has to know about secrets beyond copying the pins.
 */
export function rolledForRotation(service: ServiceObject, kind: FileKind, name: string, version: number, time: string): ServiceObject {
  const specVersion = service.specVersion + 1;
  return {
    ...service,
    spec: { ...service.spec, forceUpdate: service.spec.forceUpdate + 1 },
    previousSpec: service.spec,
    specVersion,
    updatedAt: time,
    fileVersions: { ...service.fileVersions, [fileKey(kind, name)]: version },
    updateStatus: {
      state: 'updating',
      startedAt: time,
      message: `update in progress: ${kind} "${name}" rotated to version ${version}`,
      targetSpecVersion: specVersion,
    },
  };
}
