import { Fallback } from "@entrata-events/express"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import type express from "express"
import * as Http from "node:http"
import type { AddressInfo } from "node:net"
import type { HttpLimits } from "../ServerConfig.js"

/** A Node server over `app` with the configured timeouts and connection cap. */
const nodeServer = (app: express.Express, limits: HttpLimits): Http.Server => {
  const headersTimeout = Duration.toMillis(limits.headersTimeout)
  const requestTimeout = Duration.toMillis(limits.requestTimeout)
  const server = Http.createServer({
    headersTimeout,
    requestTimeout,
    keepAliveTimeout: Duration.toMillis(limits.keepAliveTimeout),
    // Node looks for expired requests this often (30 s by default): often
    // enough that a short timeout cuts a slow client off close to it.
    connectionsCheckingInterval: Math.max(10, Math.min(1_000, headersTimeout / 2))
  }, app)
  server.maxConnections = limits.maxConnections
  server.on("clientError", Fallback.onClientError)
  return server
}

/**
 * A listening Node server over `app`, and the URL it answers on; a failure
 * to listen (the port in use) is `onError`'s.
 *
 * @internal
 */
export const listen = <E>(
  app: express.Express,
  options: { readonly host: string; readonly port: number; readonly http: HttpLimits },
  onError: (cause: Error) => E
): Effect.Effect<{ readonly server: Http.Server; readonly url: string }, E> =>
  Effect.async((resume) => {
    const server = nodeServer(app, options.http)
    const fail = (cause: Error) => resume(Effect.fail(onError(cause)))
    server.once("error", fail)
    server.listen(options.port, options.host, () => {
      server.off("error", fail)
      const { port } = server.address() as AddressInfo // a TCP listener's address is always an AddressInfo
      const host = options.host.includes(":") ? `[${options.host}]` : options.host
      resume(Effect.succeed({ server, url: `http://${host}:${port}` }))
    })
  })

/**
 * Stops accepting and closes the idle connections; the requests under way
 * get `grace` to finish, then their connections are closed too.
 *
 * @internal
 */
export const close = (server: Http.Server, grace: Duration.Duration): Effect.Effect<void> =>
  Effect.gen(function*() {
    const closed = yield* Deferred.make<void>()
    server.close(() => Deferred.unsafeDone(closed, Exit.void))
    server.closeIdleConnections()
    // A finalizer runs uninterruptibly: the wait must be interruptible for the timeout to end it.
    const finished = yield* Effect.interruptible(Deferred.await(closed)).pipe(Effect.timeoutOption(grace))
    if (Option.isNone(finished)) {
      server.closeAllConnections()
      yield* Deferred.await(closed)
    }
  })
