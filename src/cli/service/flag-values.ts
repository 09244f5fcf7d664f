/**
 * Service flags as the user typed them, before parsing. `service create` and `service update`
 * both reduce to this one shape (create's `--publish` is update's `--publish-add` applied to a
 * fresh spec), so one function applies either to a spec.
 */
export interface ServiceFlagValues {
  image?: string;
  /** `update --force`: replace every task even when nothing else changed. */
  force?: boolean;
  mode?: string;
  replicas?: string;
  /** Words of the container's arguments, space-separated ("" clears them). */
  args?: string;
  /** The container's command, space-separated ("" goes back to the image's entrypoint). */
  entrypoint?: string;
  envAdd?: string[];
  envRm?: string[];
  labelAdd?: string[];
  labelRm?: string[];
  containerLabelAdd?: string[];
  containerLabelRm?: string[];
  constraintAdd?: string[];
  constraintRm?: string[];
  placementPrefAdd?: string[];
  placementPrefRm?: string[];
  publishAdd?: string[];
  publishRm?: string[];
  mountAdd?: string[];
  mountRm?: string[];
  /** `source=NAME,target=...` or `NAME`; removed by name. */
  secretAdd?: string[];
  secretRm?: string[];
  configAdd?: string[];
  configRm?: string[];
  replicasMaxPerNode?: string;
  reserveCpu?: string;
  reserveMemory?: string;
  limitCpu?: string;
  limitMemory?: string;
  restartCondition?: string;
  restartDelay?: string;
  restartMaxAttempts?: string;
  restartWindow?: string;
  stopSignal?: string;
  stopGracePeriod?: string;
  updateParallelism?: string;
  updateDelay?: string;
  updateOrder?: string;
  updateFailureAction?: string;
  updateMonitor?: string;
  updateMaxFailureRatio?: string;
  rollbackParallelism?: string;
  rollbackDelay?: string;
  rollbackOrder?: string;
  rollbackFailureAction?: string;
  rollbackMonitor?: string;
  rollbackMaxFailureRatio?: string;
  workdir?: string;
  user?: string;
  hostname?: string;
  init?: boolean;
  historyLimit?: string;
}

export type FlagKey = keyof ServiceFlagValues;

/** Flag names that differ from the kebab-case of the key, per command. */
export type FlagNames = Partial<Record<FlagKey, string>>;

export const createFlagNames: FlagNames = {
  envAdd: '--env',
  labelAdd: '--label',
  containerLabelAdd: '--container-label',
  constraintAdd: '--constraint',
  placementPrefAdd: '--placement-pref',
  publishAdd: '--publish',
  mountAdd: '--mount',
  secretAdd: '--secret',
  configAdd: '--config',
};

export function flagName(key: FlagKey, names: FlagNames = {}): string {
  return names[key] ?? `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}
