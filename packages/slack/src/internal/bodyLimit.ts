/**
 * The cap on a request body, by its announced length. Bolt's receiver
 * counts the bytes it reads against its `bodyLimit`, but does not look at
 * `Content-Length`: a body announced larger but sent slowly would be read
 * up to the limit and then waited for.
 */
import type * as Http from "node:http"

/**
 * Middleware for the events endpoint, ahead of Bolt's: refuses with 413,
 * before reading anything, a request whose `Content-Length` is over
 * `limit` bytes.
 *
 * @internal
 */
export const refuseAnnouncedOver = (limit: number, warn: (message: string) => void) =>
(
  req: Http.IncomingMessage,
  res: Http.ServerResponse,
  next: (error?: unknown) => void
): void => {
  // Node's parser has refused any Content-Length that is not digits.
  const announced = Number(req.headers["content-length"] ?? 0)
  if (announced <= limit) return next()
  warn(`Request body exceeded the maximum allowed size: Content-Length ${announced} is over the limit of ${limit} bytes`)
  res.statusCode = 413
  res.end()
}
