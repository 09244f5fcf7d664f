/** docker-modem rejects with an Error carrying the HTTP status and the engine's JSON body. */
interface EngineError {
  statusCode?: number;
  json?: unknown;
  message?: string;
}

export function engineStatus(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as EngineError).statusCode;
  return typeof code === 'number' ? code : undefined;
}

/**
 * The engine's own words ("No such image: x:y"), without docker-modem's "(HTTP code 404) …"
 * prefix, because users read these messages in task status.
 */
export function engineMessage(err: unknown): string {
  if (typeof err !== 'object' || err === null) return String(err);
  const e = err as EngineError;
  const json = e.json;
  if (typeof json === 'object' && json !== null && 'message' in json && typeof json.message === 'string') {
    return json.message;
  }
  const text = typeof e.message === 'string' ? e.message : JSON.stringify(err);
  const m = /^\(HTTP code \d+\) [^-]*- (.*)$/s.exec(text);
  return (m?.[1] ?? text).trim();
}

export const isNotFound = (err: unknown): boolean => engineStatus(err) === 404;
/** 304 "already started/stopped" and 409 "is not running" mean the goal is already met. */
export const isAlreadyThere = (err: unknown): boolean => {
  const s = engineStatus(err);
  return s === 304 || s === 409;
};
