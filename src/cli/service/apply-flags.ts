import type { ServiceSpec, UpdateConfig } from '../../api/service-spec.js';
import { flagError, parseFlag } from '../flag-error.js';
import { parseCpus } from '../parse/cpus.js';
import { parseDuration } from '../parse/duration.js';
import { parseKeyValue, splitWords } from '../parse/key-value.js';
import { parseMemory } from '../parse/memory.js';
import { parseMount } from '../parse/mount.js';
import { parseFileReference } from '../parse/file-reference.js';
import { parseChoice, parseNonNegativeInt, parseRatio } from '../parse/number.js';
import { parseConstraintFlag, parsePlacementPref, sameConstraint } from '../parse/placement.js';
import { parsePublish, publishMatcher } from '../parse/publish.js';
import { flagName, type FlagKey, type FlagNames, type ServiceFlagValues } from './flag-values.js';

export interface ApplyContext {
  /** Flag names of the command being run, for messages. */
  names?: FlagNames;
  /** Where a bare `--env KEY` takes its value from. */
  lookupEnv?: (key: string) => string | undefined;
}

/**
 * Applies service flags to a full spec and returns the new spec; the input is not modified.
 * Removals run before additions, as in docker, so `--env-rm A --env-add A=2` replaces A.
 */
export function applyServiceFlags(input: ServiceSpec, flags: ServiceFlagValues, ctx: ApplyContext = {}): ServiceSpec {
  const spec = structuredClone(input);
  const name = (key: FlagKey): string => flagName(key, ctx.names);
  const one = <T>(key: FlagKey, parse: (text: string) => T, apply: (value: T) => void): void => {
    const raw = flags[key];
    if (typeof raw === 'string') apply(parseFlag(name(key), raw, parse));
  };
  const each = <T>(key: FlagKey, parse: (text: string) => T, apply: (value: T) => void): void => {
    const raw = flags[key];
    if (Array.isArray(raw)) for (const item of raw) apply(parseFlag(name(key), item, parse));
  };
  const text = (s: string): string => s;

  one('image', text, (v) => {
    if (!v.trim()) throw flagError(name('image'), v, 'must not be empty');
    spec.image = v.trim();
  });
  if (flags.force === true) spec.forceUpdate = (spec.forceUpdate ?? 0) + 1;
  one('mode', (v) => parseChoice(v, ['replicated', 'global'] as const), (v) => (spec.mode = v));
  one('replicas', parseNonNegativeInt, (v) => {
    if (spec.mode === 'global') throw flagError(name('replicas'), String(v), 'applies only to replicated services');
    spec.replicas = v;
  });
  one('entrypoint', splitWords, (v) => {
    if (v.length > 0) spec.command = v;
    else delete spec.command;
  });
  one('args', splitWords, (v) => {
    if (v.length > 0) spec.args = v;
    else delete spec.args;
  });

  each('envRm', text, (key) => delete spec.env[key]);
  each('envAdd', (v) => parseKeyValue(v, ctx.lookupEnv ?? (() => undefined)), ([k, v]) => (spec.env[k] = v));
  each('labelRm', text, (key) => delete spec.labels[key]);
  each('labelAdd', (v) => parseKeyValue(v, 'empty'), ([k, v]) => (spec.labels[k] = v));
  each('containerLabelRm', text, (key) => delete spec.containerLabels[key]);
  each('containerLabelAdd', (v) => parseKeyValue(v, 'empty'), ([k, v]) => (spec.containerLabels[k] = v));

  const placement = spec.placement;
  each('constraintRm', text, (c) => (placement.constraints = placement.constraints.filter((x) => !sameConstraint(x, c))));
  each('constraintAdd', parseConstraintFlag, (c) => {
    if (!placement.constraints.some((x) => sameConstraint(x, c))) placement.constraints.push(c);
  });
  each('placementPrefRm', parsePlacementPref, (p) => (placement.preferences = placement.preferences.filter((x) => x.spread !== p.spread)));
  each('placementPrefAdd', parsePlacementPref, (p) => {
    if (!placement.preferences.some((x) => x.spread === p.spread)) placement.preferences.push(p);
  });
  one('replicasMaxPerNode', parseNonNegativeInt, (v) => (placement.maxReplicasPerNode = v));

  each('publishRm', publishMatcher, (matches) => (spec.ports = spec.ports.filter((p) => !matches(p))));
  // A port published again replaces the earlier mapping of the same published port.
  each('publishAdd', parsePublish, (p) => {
    spec.ports = spec.ports.filter((x) => x.published === undefined || x.published !== p.published || x.protocol !== p.protocol);
    spec.ports.push(p);
  });
  each('mountRm', text, (target) => (spec.mounts = spec.mounts.filter((m) => m.target !== target)));
  // Secrets and configs are keyed by name (a name is mounted once), as docker's --secret-rm is.
  each('secretRm', text, (source) => (spec.secrets = spec.secrets.filter((r) => r.source !== source)));
  each('secretAdd', parseFileReference, (r) => (spec.secrets = [...spec.secrets.filter((x) => x.source !== r.source), r]));
  each('configRm', text, (source) => (spec.configs = spec.configs.filter((r) => r.source !== source)));
  each('configAdd', parseFileReference, (r) => (spec.configs = [...spec.configs.filter((x) => x.source !== r.source), r]));
  each('mountAdd', parseMount, (m) => {
    spec.mounts = spec.mounts.filter((x) => x.target !== m.target);
    spec.mounts.push(m);
  });

  const { limits, reservations } = spec.resources;
  one('reserveCpu', parseCpus, (v) => (reservations.nanoCpus = v));
  one('reserveMemory', parseMemory, (v) => (reservations.memoryBytes = v));
  one('limitCpu', parseCpus, (v) => (limits.nanoCpus = v));
  one('limitMemory', parseMemory, (v) => (limits.memoryBytes = v));

  const restart = spec.restartPolicy;
  one('restartCondition', (v) => parseChoice(v, ['any', 'on-failure', 'none'] as const), (v) => (restart.condition = v));
  one('restartDelay', parseDuration, (v) => (restart.delayMs = v));
  one('restartMaxAttempts', parseNonNegativeInt, (v) => (restart.maxAttempts = v));
  one('restartWindow', parseDuration, (v) => (restart.windowMs = v));

  one('stopSignal', (v) => v.trim().toUpperCase(), (v) => {
    if (v) spec.stopSignal = v;
    else delete spec.stopSignal;
  });
  one('stopGracePeriod', parseDuration, (v) => (spec.stopGracePeriodMs = v));

  applyUpdateConfig(spec.updateConfig, flags, 'update', one);
  applyUpdateConfig(spec.rollbackConfig, flags, 'rollback', one);

  for (const key of ['workdir', 'user', 'hostname'] as const) {
    one(key, text, (v) => {
      if (v) spec[key] = v;
      else delete spec[key];
    });
  }
  if (flags.init !== undefined) spec.init = flags.init;
  one('historyLimit', parseNonNegativeInt, (v) => (spec.taskHistoryLimit = v));
  return spec;
}

type One = <T>(key: FlagKey, parse: (text: string) => T, apply: (value: T) => void) => void;

function applyUpdateConfig(config: UpdateConfig, flags: ServiceFlagValues, prefix: 'update' | 'rollback', one: One): void {
  const key = (suffix: string): FlagKey => `${prefix}${suffix}` as FlagKey;
  one(key('Parallelism'), parseNonNegativeInt, (v) => (config.parallelism = v));
  one(key('Delay'), parseDuration, (v) => (config.delayMs = v));
  one(key('Order'), (v) => parseChoice(v, ['stop-first', 'start-first'] as const), (v) => (config.order = v));
  one(key('FailureAction'), (v) => parseChoice(v, ['pause', 'rollback', 'continue'] as const), (v) => (config.failureAction = v));
  one(key('Monitor'), parseDuration, (v) => (config.monitorMs = v));
  one(key('MaxFailureRatio'), parseRatio, (v) => (config.maxFailureRatio = v));
}
