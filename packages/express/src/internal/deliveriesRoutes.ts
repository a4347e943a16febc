/**
 * The router's routes on the delivery ledger (its `deliveries` option):
 * `POST /` enqueues and answers once the delivery is committed, `GET /`
 * lists, `GET /:id` reads one, `POST /:id/retry` and `POST /:id/cancel`
 * act. They run through the router's own machinery (authorization, request
 * ids, the body reader, problem documents, log annotations), and each
 * shows a caller only the deliveries of the integrations its grant names:
 * another integration's delivery is the same 404 as an unknown id.
 */
import type * as MountainTime from "@entrata-events/core/MountainTime"
import type { DeliveriesShape } from "@entrata-events/delivery/Deliveries"
import { type Delivery, DeliveryStatus, isFinal, STATUSES } from "@entrata-events/delivery/Delivery"
import { DeliveryNotFound } from "@entrata-events/delivery/DeliveryError"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Either from "effect/Either"
import * as Fiber from "effect/Fiber"
import * as FiberRef from "effect/FiberRef"
import * as HashMap from "effect/HashMap"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import type { Request, Response, Router } from "express"
import type { Forbidden, Grant, Unauthorized } from "../ApplicantEventsRouter.js"
import type * as JobOwners from "../JobOwners.js"
import type { BodyRejected } from "./failures.js"
import { IntegrationNotAllowed, InvalidInput, type Issue, MethodNotAllowed } from "./failures.js"
import { integrationOf, toEvent } from "./input.js"
import * as Problem from "./problem.js"
import { documentOf } from "./deliveryDocument.js"

/** The router's request runner: one Effect per request, answered and logged. */
export type Handle = (
  operation: Problem.Context["operation"],
  program: (req: Request, res: Response) => Effect.Effect<Problem.Answer, Problem.Failure>
) => (req: Request, res: Response) => void

/** What the routes take from the router. */
export interface Machinery {
  readonly deliveries: DeliveriesShape
  readonly handle: Handle
  readonly authorize: (req: Request) => Effect.Effect<Grant, Unauthorized | Forbidden>
  readonly readBody: (req: Request, res: Response) => Effect.Effect<unknown, BodyRejected>
  readonly awaitRequested: (req: Request) => Either.Either<boolean, InvalidInput>
  readonly zone: { readonly timeZone: string; readonly disambiguation: MountainTime.Disambiguation }
  readonly awaitTimeout: Duration.Duration
  readonly jobOwners: JobOwners.JobOwners
  /** Runs a background fiber on the router's runtime. */
  readonly fork: (effect: Effect.Effect<void>) => Fiber.RuntimeFiber<void, unknown>
}

const mayUse = (grant: Grant, integration_id: string): boolean =>
  grant.integrations === "*" || grant.integrations.includes(integration_id)

// For the rest of the request: every later log line, the answer's among them, names the delivery.
const annotate = (id: string) =>
  FiberRef.update(FiberRef.currentLogAnnotations, HashMap.set<string, unknown>("deliveryId", id))

const urlOf = (req: Request, id: string): string => `${req.baseUrl}/${encodeURIComponent(id)}`

const paramOf = (req: Request, name: string): string => {
  const value = req.params[name]
  return typeof value === "string" ? value : ""
}

const queryOf = (req: Request): URLSearchParams => {
  const at = req.originalUrl.indexOf("?")
  return new URLSearchParams(at === -1 ? "" : req.originalUrl.slice(at + 1))
}

const LIST_PARAMETERS = ["status", "integration_id", "limit", "cursor"]

const isStatus = Schema.is(DeliveryStatus)

/** Every value of a parameter, given repeated or separated by commas. */
const valuesOf = (query: URLSearchParams, name: string): ReadonlyArray<string> | undefined => {
  const given = query.getAll(name)
  return given.length === 0 ? undefined : given.flatMap((value) => value.split(","))
}

const onceOf = (query: URLSearchParams, name: string, issues: Array<Issue>): string | undefined => {
  const [value, ...more] = query.getAll(name)
  if (more.length > 0) issues.push({ path: `?${name}`, message: "must be given once" })
  return value
}

/**
 * Mounts the routes on `router`, and keeps `jobOwners` filled from the
 * ledger's changes, so that `GET /jobs/:job_id` answers for the jobs the
 * deliverer creates. Answers the function that stops following them.
 */
export const mount = (router: Router, machinery: Machinery): { readonly stop: () => Promise<void> } => {
  const { authorize, deliveries, handle, jobOwners } = machinery
  if (typeof deliveries !== "object" || deliveries === null || typeof deliveries.enqueue !== "function") {
    throw new TypeError(
      "createApplicantEventsRouter: deliveries must be the Deliveries service, " +
        "taken from the runtime that runs the Deliverer (runtime.runPromise(Deliveries.Deliveries))"
    )
  }
  const awaitTimeout = machinery.awaitTimeout

  const follower = machinery.fork(
    Stream.runForEach(deliveries.changes, (change) =>
      change.status === "sent" && change.job_id !== null
        ? jobOwners.remember(change.job_id, change.integration_id)
        : Effect.void)
  )

  /** The delivery `:id`, if the caller may see it; otherwise the same 404 as an unknown id. */
  const visible = (req: Request, grant: Grant) =>
    Effect.gen(function*() {
      const id = paramOf(req, "id")
      const delivery = yield* deliveries.get(id)
      if (!mayUse(grant, delivery.integration_id)) return yield* new DeliveryNotFound({ id })
      yield* annotate(delivery.id)
      return delivery
    })

  /** The delivery once it is final, or as it stands when `awaitTimeout` is up. */
  const settled = (id: string) =>
    deliveries.watch(id).pipe(
      Stream.interruptAfter(awaitTimeout),
      Stream.runLast,
      Effect.flatMap(Option.match({ onNone: () => deliveries.get(id), onSome: Effect.succeed }))
    )

  const respond = (req: Request, status: number, delivery: Delivery, headers: Readonly<Record<string, string>> = {}) =>
    Effect.map(documentOf(delivery, urlOf(req, delivery.id)), (document) => Problem.json(status, document, headers))

  const enqueue = handle("enqueue", (req, res) =>
    Effect.gen(function*() {
      const grant = yield* authorize(req)
      const awaited = yield* machinery.awaitRequested(req)
      const idempotencyKey = req.get("idempotency-key")
      const body = yield* machinery.readBody(req, res)
      const integration = integrationOf(body)
      if (integration !== undefined && !mayUse(grant, integration)) {
        return yield* new IntegrationNotAllowed({ integration_id: integration })
      }
      const event = yield* toEvent(body, machinery.zone)
      const enqueued = yield* deliveries.enqueue(event, { idempotencyKey })
      yield* annotate(enqueued.id)
      const status_url = urlOf(req, enqueued.id)
      const replayed: Record<string, string> = enqueued.replayed ? { "idempotent-replayed": "true" } : {}
      if (!awaited && !enqueued.replayed) {
        return Problem.json(202, { id: enqueued.id, status: enqueued.status, status_url }, { location: status_url })
      }
      const delivery = awaited ? yield* settled(enqueued.id) : yield* deliveries.get(enqueued.id)
      return awaited && !isFinal(delivery.status)
        ? yield* respond(req, 202, delivery, { ...replayed, location: status_url })
        : yield* respond(req, 200, delivery, replayed)
    }))

  const list = handle("list", (req) =>
    Effect.gen(function*() {
      const grant = yield* authorize(req)
      const query = queryOf(req)
      const issues: Array<Issue> = []
      for (const name of new Set(query.keys())) {
        if (!LIST_PARAMETERS.includes(name)) {
          issues.push({ path: `?${name}`, message: `is not a parameter of this list (${LIST_PARAMETERS.join(", ")})` })
        }
      }
      const statuses = valuesOf(query, "status")
      const unknown = statuses?.find((status) => !isStatus(status))
      if (unknown !== undefined) {
        const message = `must be one of ${STATUSES.join(", ")}, got ${JSON.stringify(unknown)}`
        issues.push({ path: "?status", message })
      }
      const limit = onceOf(query, "limit", issues)
      const cursor = onceOf(query, "cursor", issues)
      const [first, ...rest] = issues
      if (first !== undefined) return yield* new InvalidInput({ issues: [first, ...rest] })
      const asked = valuesOf(query, "integration_id")
      // A caller limited to some integrations sees only theirs, whatever it asks for.
      const integrations = grant.integrations === "*"
        ? asked
        : (asked ?? grant.integrations).filter((id) => mayUse(grant, id))
      const page = yield* deliveries.list({
        status: statuses?.filter(isStatus),
        integration_id: integrations,
        // Digits only; anything else is refused by list's own rule.
        limit: limit === undefined ? undefined : /^[0-9]{1,16}$/.test(limit) ? Number(limit) : Number.NaN,
        cursor
      })
      const items = yield* Effect.forEach(page.items, (delivery) => documentOf(delivery, urlOf(req, delivery.id)))
      return Problem.json(200, { items, next_cursor: page.next_cursor })
    }))

  const read = handle("delivery", (req) =>
    Effect.gen(function*() {
      const grant = yield* authorize(req)
      return yield* respond(req, 200, yield* visible(req, grant))
    }))

  const retry = handle("retry", (req) =>
    Effect.gen(function*() {
      const grant = yield* authorize(req)
      const delivery = yield* deliveries.retry((yield* visible(req, grant)).id)
      return yield* respond(req, 202, delivery, { location: urlOf(req, delivery.id) })
    }))

  const cancel = handle("cancel", (req) =>
    Effect.gen(function*() {
      const grant = yield* authorize(req)
      return yield* respond(req, 200, yield* deliveries.cancel((yield* visible(req, grant)).id))
    }))

  const notAllowed = (allow: string) => handle("delivery", () => Effect.fail(new MethodNotAllowed({ allow })))

  router.route("/").post(enqueue).get(list).all(notAllowed("GET, HEAD, POST"))
  router.route("/:id").get(read).all(notAllowed("GET, HEAD"))
  router.route("/:id/retry").post(retry).all(notAllowed("POST"))
  router.route("/:id/cancel").post(cancel).all(notAllowed("POST"))
  return { stop: () => Effect.runPromise(Effect.asVoid(Fiber.interrupt(follower))) }
}
