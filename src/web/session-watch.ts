import { errorFromBody } from '../client/http-errors.js';

/**
 * A fetch for the logged-in client that reports every 401: whichever call finds the session
 * expired or revoked (a view's load, an action, the event stream), the page returns to the
 * login view at once instead of showing the refusal in every view. The report carries the
 * manager's message; the response still goes to the caller unchanged.
 */
export function fetchReportingUnauthenticated(onUnauthenticated: (message: string) => void, inner: typeof fetch = globalThis.fetch.bind(globalThis)): typeof fetch {
  return async (input, init) => {
    const res = await inner(input, init);
    if (res.status === 401) onUnauthenticated(await messageOf(res));
    return res;
  };
}

async function messageOf(res: Response): Promise<string> {
  try {
    const err = errorFromBody(await res.clone().json(), res.status);
    if (err) return err.message;
  } catch {
    // Not a Shoal error body (a proxy in between): the generic message below will do.
  }
  return 'the manager no longer accepts this session';
}
