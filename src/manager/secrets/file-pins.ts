import { ShoalError } from '../../api/errors.js';
import { fileKey } from '../../api/secrets.js';
import type { ServiceSpec } from '../../api/service-spec.js';
import type { Store } from '../store/store.js';
import type { FileObject } from './file-object.js';
import { referencesOf } from './file-references.js';

/**
 * Pins the current version of every secret and config a service spec references; the
 * orchestrator copies the pins into each task it creates. A reference to something that does
 * not exist in the service's environment is refused naming the field
 * (`spec.secrets[0].source`), so no task is ever made that could not get its files.
 */
export class FilePins {
  constructor(private readonly store: Store) {}

  async pin(env: string, spec: Pick<ServiceSpec, 'secrets' | 'configs'>): Promise<Record<string, number>> {
    const pins: Record<string, number> = {};
    for (const ref of referencesOf(spec)) {
      const [found] = await this.store.list<FileObject>(ref.kind, { env, where: { name: ref.name } });
      if (!found) throw new ShoalError('invalid_argument', `${ref.field}: ${ref.kind} "${ref.name}" not found in environment "${env}"`, ref.field);
      pins[fileKey(ref.kind, ref.name)] = found.current;
    }
    return pins;
  }
}
