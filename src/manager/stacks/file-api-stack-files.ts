import type { FileKind } from '../../api/secrets.js';
import type { FileApi } from '../secrets/file-api.js';
import type { FileObject } from '../secrets/file-object.js';
import type { Store } from '../store/store.js';
import type { StackFiles } from './stack-files.js';

/** The stack API's view of the secret and config APIs. */
export function fileApiStackFiles(store: Store, secrets: FileApi, configs: FileApi): StackFiles {
  const api = (kind: FileKind): FileApi => (kind === 'secret' ? secrets : configs);
  return {
    ensure: (ctx, kind, name, data, labels) => api(kind).ensure(ctx, name, Buffer.from(data, 'base64'), { labels }),
    exists: async (ctx, kind, name) => (await store.list<FileObject>(kind, { env: ctx.env, where: { name } })).length > 0,
    listLabelled: async (ctx, kind, key, value) =>
      (await store.list<FileObject>(kind, { env: ctx.env })).filter((f) => f.labels[key] === value).map((f) => f.name).sort(),
    remove: async (ctx, kind, name) => {
      await api(kind).remove(ctx, name);
    },
  };
}
