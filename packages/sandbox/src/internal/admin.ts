/**
 * The simulator's own routes under `/_sandbox/`, a prefix no Propexo path
 * uses: the request log, jobs, events, quotas, faults and seed, and reset.
 */
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { FaultSettings } from "../Faults.js"
import * as Seed from "../Seed.js"
import type { State } from "./state.js"

const FaultsRequest = Schema.Struct({
  /** The token name whose faults to set; absent for the global faults. */
  token: Schema.optionalWith(Schema.String, { exact: true }),
  ...FaultSettings.fields
})

const adminError = (status: number, code: string, message: string) =>
  HttpServerResponse.unsafeJson({ error: { code, message } }, { status })

const ADMIN_ROUTES = [
  "GET /_sandbox/requests",
  "GET /_sandbox/jobs",
  "GET /_sandbox/events",
  "GET /_sandbox/quotas",
  "GET /_sandbox/faults",
  "POST /_sandbox/faults",
  "DELETE /_sandbox/faults",
  "GET /_sandbox/seed",
  "PUT /_sandbox/seed",
  "POST /_sandbox/reset"
]

/** The `/_sandbox/` routes over the simulator's state; `reset` forgets everything. @internal */
export const admin = (state: State, reset: Effect.Effect<void>) => {
  const json = (f: () => unknown) => Effect.sync(() => HttpServerResponse.unsafeJson(f()))
  const decodeFaults = Schema.decodeUnknown(Schema.parseJson(FaultsRequest), { onExcessProperty: "error" })
  const router = HttpRouter.empty.pipe(
    HttpRouter.get("/_sandbox/", json(() => ({ routes: ADMIN_ROUTES }))),
    HttpRouter.get("/_sandbox/requests", json(() => ({ requests: state.requests() }))),
    HttpRouter.get("/_sandbox/jobs", json(() => ({ jobs: state.jobRecords(Date.now()) }))),
    HttpRouter.get("/_sandbox/events", json(() => ({ events: state.eventRecords() }))),
    HttpRouter.get("/_sandbox/quotas", json(() => ({ quotas: state.quotaRecords(Date.now()) }))),
    HttpRouter.get("/_sandbox/faults", json(() => state.faultState())),
    HttpRouter.del(
      "/_sandbox/faults",
      Effect.zipRight(Effect.sync(() => state.clearFaults()), json(() => state.faultState()))
    ),
    HttpRouter.post(
      "/_sandbox/faults",
      Effect.gen(function*() {
        const request = yield* HttpServerRequest.HttpServerRequest
        const text = yield* Effect.orElseSucceed(request.text, () => "")
        const decoded = yield* Effect.either(decodeFaults(text))
        if (decoded._tag === "Left") {
          return adminError(400, "invalid_faults", ParseResult.TreeFormatter.formatErrorSync(decoded.left))
        }
        const { token, ...faults } = decoded.right
        if (token !== undefined && !state.settings.tokens.some((t) => t.name === token)) {
          return adminError(400, "unknown_token", `No sandbox token is named ${JSON.stringify(token)}`)
        }
        state.setFaults(faults, token)
        return HttpServerResponse.unsafeJson(state.faultState())
      })
    ),
    HttpRouter.get("/_sandbox/seed", json(() => state.seed)),
    HttpRouter.put(
      "/_sandbox/seed",
      Effect.gen(function*() {
        const request = yield* HttpServerRequest.HttpServerRequest
        const text = yield* Effect.orElseSucceed(request.text, () => "")
        const seed = yield* Effect.either(Seed.fromJson(text, "request body"))
        if (seed._tag === "Left") return adminError(400, "invalid_seed", seed.left.message)
        state.seed = seed.right
        return HttpServerResponse.unsafeJson({ ok: true })
      })
    ),
    HttpRouter.post("/_sandbox/reset", Effect.zipRight(reset, json(() => ({ ok: true }))))
  )
  return router.pipe(
    Effect.catchTag("RouteNotFound", (e) =>
      Effect.succeed(adminError(404, "not_found", `No sandbox route for ${e.request.method} ${e.request.url}`)))
  )
}
