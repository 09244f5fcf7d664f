import { fileKey, type FileKind } from '../../api/secrets.js';
import type { ServiceSpec } from '../../api/service-spec.js';

export interface FileReferenceAt {
  kind: FileKind;
  name: string;
  /** Where the reference is in a service create/update request, for errors. */
  field: string;
}

type FileRefs = Pick<ServiceSpec, 'secrets' | 'configs'>;

/** Every secret and config a spec mounts, in order. */
export function referencesOf(spec: FileRefs): FileReferenceAt[] {
  return [
    ...spec.secrets.map((r, i) => ({ kind: 'secret' as const, name: r.source, field: `spec.secrets[${i}].source` })),
    ...spec.configs.map((r, i) => ({ kind: 'config' as const, name: r.source, field: `spec.configs[${i}].source` })),
  ];
}

export function usesFile(spec: FileRefs, kind: FileKind, name: string): boolean {
  return (kind === 'secret' ? spec.secrets : spec.configs).some((r) => r.source === name);
}

/** The `fileVersions` keys a spec needs pinned. */
export function referenceKeys(spec: FileRefs): string[] {
  return [...new Set(referencesOf(spec).map((r) => fileKey(r.kind, r.name)))];
}
