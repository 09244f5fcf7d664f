import type { Position } from './compose-error.js';
import type { Lookup } from './interpolate.js';
import type { Reader } from './tree-read.js';

/** What mapping one service needs to know of the rest of the stack. */
export interface ServiceContext {
  r: Reader;
  /** The compose service name. */
  name: string;
  /** The service's own position (`services.NAME`). */
  at: Position;
  declared: { networks: Set<string>; volumes: Set<string>; secrets: Set<string>; configs: Set<string> };
  /** Every service the stack deploys. */
  services: Set<string>;
  /** Services left out because of their `profiles`, with those profiles. */
  leftOut: Map<string, string[]>;
  /** Variables first, then the `.env` file: for `environment: [KEY]` without a value. */
  lookup: Lookup;
  /** A referenced file's content (env_file), by its path as written; undefined when not sent. */
  fileContent: (path: string) => string | undefined;
  /**
   * Records where a part of the spec came from (`ports.1`, `healthcheck`), so a problem the
   * service schema finds there is reported at that file and line.
   */
  origin(specPath: string, at: Position): void;
}

/** Why a name is not a service of the stack, for messages. */
export function unknownService(ctx: ServiceContext, name: string): string {
  const profiles = ctx.leftOut.get(name);
  if (profiles) return `service "${name}" is left out (it has profiles ${profiles.join(', ')}, and Shoal activates none)`;
  return `service "${name}" is not defined in services`;
}
