/** Who is calling and in which environment; authentication fills it, every operation takes it. */
export interface RequestContext {
  actor: string;
  env: string;
}
