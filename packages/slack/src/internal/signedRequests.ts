/**
 * Slack's rules for a signed request that Bolt's receivers leave out: the
 * timestamp must be within five minutes of now in either direction (Bolt
 * refuses only the past), and a request seen before is a replay.
 */
import type * as Http from "node:http"

/**
 * How far a request's timestamp may be from now, either way: Slack's rule.
 *
 * @internal
 */
export const WINDOW_MILLIS = 5 * 60_000

const HEADER = "x-slack-request-timestamp"

/** Seconds since the epoch as Slack writes them; anything else is no timestamp. */
const secondsOf = (header: string | ReadonlyArray<string> | undefined): number | undefined =>
  typeof header === "string" && /^\d{1,12}$/.test(header) ? Number(header) : undefined

/**
 * Middleware for the events endpoint, ahead of Bolt's: refuses with 401,
 * before the body is read, a request whose timestamp is missing or more
 * than {@link WINDOW_MILLIS} from `now()`.
 *
 * @internal
 */
export const refuseOutsideWindow = (warn: (message: string) => void, now: () => number) =>
(
  req: Http.IncomingMessage,
  res: Http.ServerResponse,
  next: (error?: unknown) => void
): void => {
  const header = req.headers[HEADER]
  const seconds = secondsOf(header)
  if (seconds !== undefined && Math.abs(seconds * 1000 - now()) <= WINDOW_MILLIS) return next()
  const shown = typeof header === "string" ? JSON.stringify(header.slice(0, 40)) : "missing"
  warn(`Request verification failed: ${HEADER} ${shown} is not a time within five minutes of now`)
  res.statusCode = 401
  res.end()
}

/**
 * The signature and timestamp of a request, as the receiver hands them to
 * listeners in `context.signedRequest`: the same pair is the same request.
 *
 * @internal
 */
export interface SignedRequest {
  readonly timestamp: number
  readonly signature: string
}

/**
 * The request's {@link SignedRequest}, for Bolt's `customPropertiesExtractor`.
 *
 * @internal
 */
export const signedRequestOf = (req: Http.IncomingMessage): { readonly signedRequest?: SignedRequest } => {
  const timestamp = secondsOf(req.headers[HEADER])
  const signature = req.headers["x-slack-signature"]
  return timestamp === undefined || typeof signature !== "string" ? {} : { signedRequest: { timestamp, signature } }
}

/**
 * The {@link SignedRequest} a listener's context carries, if the receiver
 * put one there.
 *
 * @internal
 */
export const signedRequestIn = (context: Readonly<Record<string, unknown>>): SignedRequest | undefined => {
  const value = context.signedRequest
  if (typeof value !== "object" || value === null) return undefined
  const timestamp = "timestamp" in value ? value.timestamp : undefined
  const signature = "signature" in value ? value.signature : undefined
  return typeof timestamp === "number" && typeof signature === "string" ? { timestamp, signature } : undefined
}
