/**
 * The simulator's HTTP server: `PropexoApi`'s handlers inside the wrapper
 * that does what Propexo does around every request, next to the
 * `/_sandbox/` routes, served on Node's HTTP server with the write jobs'
 * timers, for the life of a scope.
 */
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import type * as HttpApp from "@effect/platform/HttpApp"
import * as HttpServer from "@effect/platform/HttpServer"
import type * as HttpServerError from "@effect/platform/HttpServerError"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as PropexoApi from "@entrata-events/propexo/PropexoApi"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as FiberSet from "effect/FiberSet"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import type * as Http from "node:http"
import type * as Net from "node:net"
import { admin } from "./admin.js"
import { aroundRequest } from "./exchange.js"
import { handlers, propexoErrors } from "./handlers.js"
import type { State } from "./state.js"

/** Serves the simulator for the life of the scope. @internal */
export const serve = (
  state: State,
  evaluate: () => Http.Server,
  listen: Net.ListenOptions
): Effect.Effect<
  { readonly port: number; readonly reset: Effect.Effect<void> },
  HttpServerError.ServeError,
  Scope.Scope
> =>
  Effect.gen(function*() {
    const jobs = yield* FiberSet.make<void, never>()
    const runJob = yield* FiberSet.runtime(jobs)<never>()
    const schedule = (jobId: string) => {
      runJob(
        Effect.zipRight(Effect.sleep(state.settings.jobDelayMs), Effect.sync(() => state.settle(jobId, Date.now())))
      )
    }
    const reset = Effect.zipRight(FiberSet.clear(jobs), Effect.sync(() => state.reset()))
    const adminApp = admin(state, reset)

    const wrap = <R>(app: HttpApp.Default<never, R>): HttpApp.Default<never, R> =>
      Effect.flatMap(
        HttpServerRequest.HttpServerRequest,
        (request) => request.url.startsWith("/_sandbox/") ? adminApp : aroundRequest(state, app, request)
      )

    // What `HttpApiBuilder.serve` does, except that the wrapper goes inside
    // the served app: a server middleware only runs after the answer was
    // written, too late to add headers, log the status or drop the connection.
    const ServerLive = HttpApiBuilder.httpApp.pipe(
      Effect.map((app) => HttpServer.serve(wrap(app))),
      Layer.unwrapEffect,
      Layer.provide([HttpApiBuilder.Router.Live, HttpApiBuilder.Middleware.layer]),
      Layer.provide(HttpApiBuilder.middleware(PropexoApi.PropexoApi, propexoErrors)),
      Layer.provide(HttpApiBuilder.api(PropexoApi.PropexoApi).pipe(Layer.provide(handlers(state, schedule)))),
      Layer.provideMerge(NodeHttpServer.layer(evaluate, listen))
    )
    const context = yield* Layer.build(ServerLive)
    const address = Context.get(context, HttpServer.HttpServer).address
    const port = address._tag === "TcpAddress" ? address.port : 0
    return { port, reset }
  })
