import assert from 'node:assert/strict';
import { ShoalError } from '../../api/errors.js';
import { memoryStore } from '../auth/test-store.test-util.js';
import { SecretBox } from '../ca/secret-box.js';
import { ServiceApi } from '../controlapi/services.js';
import { FileApi } from './file-api.js';
import { FilePins } from './file-pins.js';

/** An in-memory store with the secret and config APIs and a ServiceApi that pins their versions. */
export function fileApis() {
  const store = memoryStore();
  const box = SecretBox.forTest();
  const secrets = new FileApi({ kind: 'secret', store, box });
  const configs = new FileApi({ kind: 'config', store, box });
  const pinner = new FilePins(store);
  const services = new ServiceApi(store, Date.now, pinner);
  return { store, box, secrets, configs, pinner, services };
}

/** Asserts that `p` fails with a ShoalError of `code` (and `field`, and a message matching `message`, when given). */
export async function rejects(p: Promise<unknown>, code: string, field?: string, message?: RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof ShoalError, String(err));
    assert.equal(err.code, code, err.message);
    if (field !== undefined) assert.equal(err.field, field, err.message);
    if (message) assert.match(err.message, message);
    return true;
  });
}
