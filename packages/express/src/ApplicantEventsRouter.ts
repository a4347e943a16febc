/**
 * An Express 5 router that records Entrata applicant events through the
 * `ApplicantEvents` service: `POST /` takes an event as JSON with Propexo's
 * field names, `GET /jobs/:job_id` tells how its write ended. Every refusal
 * is an RFC 9457 problem document.
 *
 * ```ts
 * const router = createApplicantEventsRouter({ runtime, authorize })
 * app.use("/applicant-events", router)
 * ```
 *
 * Each request runs as one Effect on the given runtime, interrupted when
 * the client hangs up, its log lines annotated with its request id. The
 * router remembers which integration each job it created belongs to
 * (`jobOwners`), and answers a job's status only to callers that may use
 * that integration.
 *
 * @since 0.1.0
 */
import { ApplicantEvents } from "@entrata-events/core/ApplicantEvents"
import * as MountainTime from "@entrata-events/core/MountainTime"
import type { DeliveriesShape } from "@entrata-events/delivery/Deliveries"
import { WriteStillPending } from "@entrata-events/propexo/PropexoError"
import { WriteStatus } from "@entrata-events/propexo/WriteStatus"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as FiberRef from "effect/FiberRef"
import * as HashMap from "effect/HashMap"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import type { Request, Response, Router } from "express"
import express from "express"
import * as Fallback from "./Fallback.js"
import { makeReader } from "./internal/body.js"
import * as DeliveriesRoutes from "./internal/deliveriesRoutes.js"
import { IntegrationNotAllowed, InvalidInput, JobNotFound, MethodNotAllowed } from "./internal/failures.js"
import { integrationOf, toEvent } from "./internal/input.js"
import * as Options_ from "@entrata-events/core/AdapterOptions"
import * as Problem from "./internal/problem.js"
import * as RequestLogs from "./internal/requestLogs.js"
import * as JobOwners from "./JobOwners.js"

// ---------------------------------------------------------------------------
// Authorization
// ---------------------------------------------------------------------------

/**
 * Refuses a request whose caller is not known (401). `reason` is shown to
 * the caller; `challenge` is the `WWW-Authenticate` header (default
 * `Bearer`).
 *
 * @since 0.1.0
 * @category authorization
 */
export class Unauthorized extends Schema.TaggedError<Unauthorized>()("Unauthorized", {
  reason: Schema.String,
  challenge: Schema.optionalWith(Schema.String, { exact: true })
}) {
  override get message(): string {
    return `Unauthorized: ${this.reason}`
  }
}

/**
 * Refuses a request whose caller is known but may not record events (403).
 * `reason` is shown to the caller.
 *
 * @since 0.1.0
 * @category authorization
 */
export class Forbidden extends Schema.TaggedError<Forbidden>()("Forbidden", {
  reason: Schema.String
}) {
  override get message(): string {
    return `Forbidden: ${this.reason}`
  }
}

/**
 * What a caller may do: the integrations it may write events to (`"*"` for
 * all), and optionally a name for it that log lines carry.
 *
 * @since 0.1.0
 * @category authorization
 */
export const Grant = Schema.Struct({
  integrations: Schema.Union(Schema.Literal("*"), Schema.Array(Schema.String)),
  caller: Schema.optionalWith(Schema.String, { exact: true })
})

/**
 * @since 0.1.0
 * @category authorization
 */
export interface Grant extends Schema.Schema.Type<typeof Grant> {}

/**
 * Decides what the sender of a request may do: it returns (or resolves to)
 * a {@link Grant}, or refuses by returning or throwing {@link Unauthorized}
 * or {@link Forbidden}. Anything else it throws is a 500, logged.
 *
 * @since 0.1.0
 * @category authorization
 */
export type Authorize = (
  req: Request
) => Grant | Unauthorized | Forbidden | PromiseLike<Grant | Unauthorized | Forbidden>

// ---------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------

/**
 * The services each request needs.
 *
 * @since 0.1.0
 * @category models
 */
export type Services = ApplicantEvents | WriteStatus

/**
 * @since 0.1.0
 * @category models
 */
export interface BaseOptions {
  /** The zone in which date-times without an offset are read. Default `America/Denver`. */
  readonly timeZone?: string | undefined
  /** How a wall-clock time the clocks skip or repeat is read. Default `reject` (a 400). */
  readonly disambiguation?: MountainTime.Disambiguation | undefined
  /** The largest body accepted, in bytes. Default 65,536. */
  readonly bodyLimit?: number | undefined
  /** How long `?await=true` waits for the write to end. Default 30 seconds. */
  readonly awaitTimeout?: Duration.DurationInput | undefined
  /** How often `?await=true` asks Propexo about the write. Default 1 second. */
  readonly awaitInterval?: Duration.DurationInput | undefined
  /**
   * The longest a create waits for Propexo's quota before it is sent; past
   * it the answer is a 429 and nothing is sent. Default 10 seconds.
   *
   * @since 0.2.0
   */
  readonly maxQuotaWait?: Duration.DurationInput | undefined
  /**
   * Where the router remembers the integration of each job it created, so
   * that `GET /jobs/:job_id` answers only callers that may use it. Pass one
   * store to every router that should answer for the others' jobs. Default:
   * a store of this router's own, `JobOwners.inMemory()`.
   *
   * @since 0.2.0
   */
  readonly jobOwners?: JobOwners.JobOwners | undefined
  /**
   * Answer from the delivery ledger: `POST /` commits the event and answers
   * 202 at once (the `Deliverer` sends it), and `GET /`, `GET /:id`,
   * `POST /:id/retry` and `POST /:id/cancel` read and act on deliveries.
   * Take it from the runtime that runs the `Deliverer`
   * (`runtime.runPromise(Deliveries.Deliveries)`). Without it, `POST /`
   * sends each event to Propexo within its request.
   *
   * @since 0.2.0
   */
  readonly deliveries?: DeliveriesShape | undefined
}

/**
 * Where requests run: `runtime`, a `ManagedRuntime` the host owns and
 * disposes of itself, or `layer`, from which the router builds a runtime of
 * its own once, released by `dispose`. (`runtime` also takes a `Layer`, as
 * it did before `layer`.)
 *
 * @since 0.2.0
 * @category models
 */
export type ServicesOptions =
  | {
    readonly runtime: ManagedRuntime.ManagedRuntime<Services, unknown> | Layer.Layer<Services, unknown>
    readonly layer?: undefined
  }
  | { readonly layer: Layer.Layer<Services, unknown>; readonly runtime?: undefined }

/**
 * The router's options: `runtime` or `layer`, and `authorize`, unless the
 * host opts out of authorization on purpose with `allowAnonymous: true`.
 *
 * @since 0.1.0
 * @category models
 */
export type Options =
  & BaseOptions
  & ServicesOptions
  & (
    | { readonly authorize: Authorize; readonly allowAnonymous?: false | undefined }
    | { readonly authorize?: undefined; readonly allowAnonymous: true }
  )

/**
 * An Express router, plus `dispose` to release the runtime the router built
 * from a `Layer` (a no-op when the host passed its own `ManagedRuntime`).
 *
 * @since 0.1.0
 * @category models
 */
export interface ApplicantEventsRouter extends Router {
  readonly dispose: () => Promise<void>
}

/**
 * Options {@link createApplicantEventsRouter} refused, each issue naming the
 * option and the rule it breaks; thrown at start-up.
 *
 * @since 0.2.0
 * @category errors
 */
export const InvalidOptions: typeof Options_.InvalidOptions = Options_.InvalidOptions

/**
 * @since 0.2.0
 * @category errors
 */
export type InvalidOptions = Options_.InvalidOptions

/**
 * Defaults.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaults = {
  timeZone: MountainTime.TIME_ZONE,
  disambiguation: "reject",
  bodyLimit: 65_536,
  awaitTimeout: Duration.seconds(30),
  awaitInterval: Duration.seconds(1),
  maxQuotaWait: Duration.seconds(10)
} as const

const MISSING_AUTHORIZE = "is required: it decides, per request, which integrations the caller may write events to " +
  "(return { integrations: [...] } or { integrations: \"*\" }), or refuses the request by throwing Unauthorized (401) " +
  "or Forbidden (403). Without it anyone who can reach the route could record events in Entrata. To accept every " +
  "request unchecked, pass allowAnonymous: true on purpose."

const PROVIDING = "providing ApplicantEvents and WriteStatus"

const isFunction = (u: unknown): boolean => typeof u === "function"

const isJobOwners = (u: unknown): boolean =>
  typeof u === "object" && u !== null && isFunction(Reflect.get(u, "remember")) && isFunction(Reflect.get(u, "ownerOf"))

const optional = <A, I>(schema: Schema.Schema<A, I>) => Schema.optionalWith(schema, { exact: true })

const withDefault = <A, I>(schema: Schema.Schema<A, I>, value: () => A) =>
  Schema.optionalWith(schema, { exact: true, default: value })

const settingsOf = Options_.decodeSync(
  "createApplicantEventsRouter",
  Schema.Struct({
    runtime: optional(
      Options_.declared<ManagedRuntime.ManagedRuntime<Services, unknown> | Layer.Layer<Services, unknown>>(
        (u) => ManagedRuntime.isManagedRuntime(u) || Layer.isLayer(u),
        `must be a ManagedRuntime or a Layer ${PROVIDING}`
      )
    ),
    layer: optional(Options_.declared<Layer.Layer<Services, unknown>>(Layer.isLayer, `must be a Layer ${PROVIDING}`)),
    authorize: optional(Options_.declared<Authorize>(isFunction, "must be a function of the request")),
    allowAnonymous: optional(Schema.Boolean),
    timeZone: withDefault(Options_.TimeZone, () => defaults.timeZone),
    disambiguation: withDefault(
      Schema.Literal("reject", "earlier", "later", "compatible").annotations({
        message: () => ({ message: "must be reject, earlier, later or compatible", override: true })
      }),
      () => defaults.disambiguation
    ),
    bodyLimit: withDefault(Options_.PositiveInt("must be a positive whole number of bytes"), () => defaults.bodyLimit),
    awaitTimeout: withDefault(Options_.FiniteDuration("refused"), () => defaults.awaitTimeout),
    awaitInterval: withDefault(Options_.FiniteDuration("refused"), () => defaults.awaitInterval),
    maxQuotaWait: withDefault(Options_.FiniteDuration("allowed"), () => defaults.maxQuotaWait),
    jobOwners: withDefault(
      Options_.declared<JobOwners.JobOwners>(isJobOwners, "must be a JobOwners store, such as JobOwners.inMemory()"),
      () => JobOwners.inMemory()
    )
  }).pipe(Schema.filter((options) => [
    options.runtime === undefined && options.layer === undefined
      ? { path: ["runtime"], message: `or options.layer is required: a ManagedRuntime or a Layer ${PROVIDING}` }
      : undefined,
    options.runtime !== undefined && options.layer !== undefined
      ? { path: ["layer"], message: "cannot be given with options.runtime: pass one of them" }
      : undefined,
    options.authorize === undefined && options.allowAnonymous !== true
      ? { path: ["authorize"], message: MISSING_AUTHORIZE }
      : undefined
  ]))
)

// ---------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------

const ANONYMOUS: Grant = { integrations: "*", caller: "anonymous" }

const decodeGrant = Schema.decodeUnknownEither(Grant)

const isRefusal = (u: unknown): u is Unauthorized | Forbidden => u instanceof Unauthorized || u instanceof Forbidden

const isThenable = (u: unknown): u is PromiseLike<unknown> =>
  typeof u === "object" && u !== null && "then" in u && typeof u.then === "function"

const grantOf = (answer: unknown): Effect.Effect<Grant, Unauthorized | Forbidden> => {
  if (isRefusal(answer)) return Effect.fail(answer)
  const decoded = decodeGrant(answer)
  if (Either.isLeft(decoded)) {
    return Effect.dieMessage("authorize returned neither a grant ({ integrations }) nor Unauthorized/Forbidden")
  }
  const grant = decoded.right
  if (grant.caller === undefined) return Effect.succeed(grant)
  // For the rest of the request: every later log line names the caller.
  return Effect.as(
    FiberRef.update(FiberRef.currentLogAnnotations, HashMap.set<string, unknown>("caller", grant.caller)),
    grant
  )
}

const refusalOrDefect = (error: unknown) => isRefusal(error) ? Effect.fail(error) : Effect.die(error)

const authorizeWith = (authorize: Authorize | undefined) =>
(req: Request): Effect.Effect<Grant, Unauthorized | Forbidden> =>
  authorize === undefined
    ? Effect.succeed(ANONYMOUS)
    : Effect.suspend(() => {
      // A synchronous answer is used as is, without a round trip through a promise.
      let answer: unknown
      try {
        answer = authorize(req)
      } catch (error) {
        return refusalOrDefect(error)
      }
      return isThenable(answer)
        ? Effect.tryPromise({ try: () => Promise.resolve(answer), catch: (error) => error }).pipe(
          Effect.catchAll(refusalOrDefect),
          Effect.flatMap(grantOf)
        )
        : grantOf(answer)
    })

// Propexo's job ids are cuids; anything else cannot name a job.
const JOB_ID = /^[A-Za-z0-9_-]{1,200}$/

const awaitRequested = (req: Request): Either.Either<boolean, InvalidInput> => {
  const query = req.originalUrl.indexOf("?")
  if (query === -1) return Either.right(false)
  const values = new URLSearchParams(req.originalUrl.slice(query + 1)).getAll("await")
  if (values.length === 0) return Either.right(false)
  const [value] = values
  if (values.length === 1 && (value === "true" || value === "false")) return Either.right(value === "true")
  return Either.left(new InvalidInput({ issues: [{ path: "?await", message: "must be true or false, given once" }] }))
}

/** The answer to how the program ended, logged. */
const settle = (
  exit: Exit.Exit<Problem.Answer, Problem.Failure>,
  requestId: string,
  ctx: Omit<Problem.Context, "now">
): Effect.Effect<Problem.Answer> =>
  Exit.isSuccess(exit)
    ? Effect.as(Effect.logInfo(`answered ${exit.value.status}`), exit.value)
    : Effect.gen(function*() {
      const failure = Cause.failureOrCause(exit.cause)
      if (Either.isRight(failure)) {
        yield* Effect.logError("answered 500: a defect", failure.right)
        return Problem.answer(Problem.internalError(requestId), requestId)
      }
      const problem = Problem.problemFor(failure.left, { ...ctx, now: yield* Clock.currentTimeMillis })
      const line = `answered ${problem.status} (${problem.slug})`
      // Propexo's and the PMS's own words help operators; callers never see them.
      yield* problem.status >= 500 || problem.slug === "rejected-by-entrata"
        ? Effect.logWarning(`${line}: ${failure.left.message}`)
        : Effect.logInfo(line)
      return Problem.answer(problem, requestId)
    })

// ---------------------------------------------------------------------------
// The router
// ---------------------------------------------------------------------------

/**
 * Makes the router. Throws {@link InvalidOptions} at start-up for options
 * that cannot work, naming each and its rule: no `authorize` (unless
 * `allowAnonymous: true`), neither `runtime` nor `layer` (or both), an
 * unknown time zone, a bad limit or duration.
 *
 * @since 0.1.0
 * @category constructors
 */
export const createApplicantEventsRouter = (options: Options): ApplicantEventsRouter => {
  const settings = settingsOf(options)
  const zone = { timeZone: settings.timeZone, disambiguation: settings.disambiguation }
  // The filter above has made sure that one of the two is given.
  const { dispose, runtime } = Options_.runsOf(settings.runtime ?? settings.layer!)
  const authorize = authorizeWith(settings.authorize)
  const readBody = makeReader(settings.bodyLimit)
  const awaitTimeoutMillis = Duration.toMillis(settings.awaitTimeout)

  const handle = (
    operation: Problem.Context["operation"],
    program: (req: Request, res: Response, statusUrl: (job_id: string) => string) => Effect.Effect<
      Problem.Answer,
      Problem.Failure,
      Services
    >
  ) =>
  (req: Request, res: Response): void => {
    const requestId = Problem.requestIdOf(req)
    res.setHeader("x-request-id", requestId)
    const statusUrl = (job_id: string) => `${req.baseUrl}/jobs/${encodeURIComponent(job_id)}`
    const answered = program(req, res, statusUrl).pipe(
      Effect.exit,
      Effect.flatMap((exit) => settle(exit, requestId, { operation, statusUrl }))
    )
    const fiber = runtime.runFork(
      Effect.zipRight(RequestLogs.start("request", { requestId, method: req.method, path: req.originalUrl }), answered)
        .pipe(
          Effect.onInterrupt(() =>
            Effect.logInfo("interrupted before answering: the client hung up, or the runtime stopped")
          ),
          Effect.withSpan(`ApplicantEventsRouter.${operation}`, {
            attributes: { "http.request_id": requestId },
            // The span's place in this module says nothing a trace needs, and capturing it costs.
            captureStackTrace: false
          })
        )
    )
    let hungUp = false
    res.once("close", () => {
      if (res.writableFinished) return
      hungUp = true
      fiber.unsafeInterruptAsFork(fiber.id())
    })
    fiber.addObserver((exit) => {
      if (Exit.isSuccess(exit)) return Problem.send(res, exit.value)
      if (Cause.isInterruptedOnly(exit.cause)) {
        if (!hungUp) Problem.send(res, Problem.answer(Problem.unavailable, requestId))
        return
      }
      // The runtime itself failed (its layer could not be built): its logger may be gone too.
      Effect.runFork(
        Effect.logError("the runtime failed", exit.cause).pipe(Effect.annotateLogs({ requestId }))
      )
      Problem.send(res, Problem.answer(Problem.internalError(requestId), requestId))
    })
  }

  const create = handle("create", (req, res, statusUrl) =>
    Effect.gen(function*() {
      const grant = yield* authorize(req)
      const awaited = yield* awaitRequested(req)
      const body = yield* readBody(req, res)
      const integration = integrationOf(body)
      if (integration !== undefined && grant.integrations !== "*" && !grant.integrations.includes(integration)) {
        return yield* new IntegrationNotAllowed({ integration_id: integration })
      }
      const event = yield* toEvent(body, zone)
      const events = yield* ApplicantEvents
      const created = yield* events.create(event, { maxQuotaWait: settings.maxQuotaWait })
      const job_id = created.job_id
      yield* settings.jobOwners.remember(job_id, created.sent.integration_id)
      // An ApplicantEvent's encoded form is itself (text, numbers, booleans): `sent` is the body Propexo got.
      const answer = { job_id, status_url: statusUrl(job_id), sent: created.sent }
      if (!awaited) return Problem.json(202, answer, { location: answer.status_url })
      const writes = yield* WriteStatus
      const done = yield* writes.awaitCompletion(job_id, { schedule: Schedule.spaced(settings.awaitInterval) }).pipe(
        Effect.timeoutFail({
          duration: settings.awaitTimeout,
          onTimeout: () => new WriteStillPending({ job_id, waitedMillis: awaitTimeoutMillis })
        })
      )
      return Problem.json(200, { ...answer, write_status: done.write_status })
    }))

  const status = handle("status", (req) =>
    Effect.gen(function*() {
      const grant = yield* authorize(req)
      const param = req.params["job_id"]
      const job_id = typeof param === "string" ? param : ""
      if (!JOB_ID.test(job_id)) return yield* new JobNotFound()
      // A job this router did not create, or of an integration the caller
      // may not use, is not asked about: Propexo would answer for any job.
      const owner = yield* settings.jobOwners.ownerOf(job_id)
      if (Option.isNone(owner) || (grant.integrations !== "*" && !grant.integrations.includes(owner.value))) {
        return yield* new JobNotFound()
      }
      const writes = yield* WriteStatus
      const { errors, write_status } = yield* writes.get(job_id)
      return Problem.json(200, { job_id, write_status, errors })
    }))

  const notAllowed = (allow: string) => handle("status", () => Effect.fail(new MethodNotAllowed({ allow })))

  const router = express.Router()
  if (options.deliveries === undefined) router.route("/").post(create).all(notAllowed("POST"))
  router.route("/jobs/:job_id").get(status).all(notAllowed("GET, HEAD"))
  const ledger = options.deliveries === undefined ? undefined : DeliveriesRoutes.mount(router, {
    deliveries: options.deliveries,
    handle,
    authorize,
    readBody,
    awaitRequested,
    zone,
    awaitTimeout: settings.awaitTimeout,
    jobOwners: settings.jobOwners,
    fork: (effect) => runtime.runFork(effect)
  })
  // Errors of the router's own matching, such as a job id that is not valid percent-encoding.
  router.use(Fallback.handleError)
  return Object.assign(router, {
    dispose: async () => {
      await ledger?.stop()
      await dispose()
    }
  })
}
