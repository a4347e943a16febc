/**
 * The `/applicant-event` slash command in a Slack Bolt app: it
 * acknowledges at once, records the event through `ApplicantEvents`, and
 * posts to the command's response URL that Propexo queued it, then whether
 * Entrata recorded it.
 *
 * ```ts
 * const command = registerApplicantEventCommand(app, {
 *   layer: ApplicantEventsLive.layer().pipe(
 *     Layer.provide(PropexoConfig.layerConfig()),
 *     Layer.provide(NodeHttpClient.layerUndici)
 *   ),
 *   authorize: ({ team_id }) => integrationOfWorkspace.get(team_id)
 * })
 * ```
 *
 * Each command runs as one Effect on the runtime, in a span, its log lines
 * annotated with the command and the workspace and written to Bolt's
 * logger.
 *
 * @since 0.1.0
 */
import { ApplicantEvents } from "@entrata-events/core/ApplicantEvents"
import * as MountainTime from "@entrata-events/core/MountainTime"
import { EventTypeCatalog } from "@entrata-events/propexo/EventTypeCatalog"
import { WriteStatus } from "@entrata-events/propexo/WriteStatus"
import {
  type AllMiddlewareArgs,
  App,
  ExpressReceiver,
  type Logger,
  LogLevel,
  type RespondFn,
  type SlackCommandMiddlewareArgs,
  type SlashCommand
} from "@slack/bolt"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as FiberId from "effect/FiberId"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import { HELP_TEXT, parseCommandText } from "./CommandText.js"
import * as BodyLimit from "./internal/bodyLimit.js"
import * as FollowUps from "./internal/followUps.js"
import * as Logging from "./internal/logging.js"
import * as Messages from "./internal/messages.js"
import * as Options_ from "@entrata-events/core/AdapterOptions"
import { ambiguityOf, catalogMayClearProblems, readCatalog } from "./internal/reading.js"
import * as Replays from "./internal/replays.js"
import * as SignedRequests from "./internal/signedRequests.js"
import * as UnderWay from "./internal/underWay.js"

/**
 * The command registered unless told otherwise.
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_COMMAND = "/applicant-event"

/**
 * Where a command comes from, as Slack says (the request is signed).
 *
 * @since 0.1.0
 * @category models
 */
export interface AuthorizeRequest {
  readonly team_id: string
  readonly enterprise_id?: string | undefined
  readonly user_id: string
  readonly channel_id: string
}

/**
 * Where a command may write: a Propexo integration and, optionally, the one
 * property whose event types its names mean. Without `propertyId`, a name
 * that stands for event types of several properties is refused.
 *
 * @since 0.1.0
 * @category models
 */
export interface Authorization {
  readonly integrationId: string
  readonly propertyId?: string | undefined
}

/**
 * What `authorize` answers: an integration id or an {@link Authorization}
 * to write there, or `null`/`undefined` to refuse.
 *
 * @since 0.1.0
 * @category models
 */
export type AuthorizeResult = string | Authorization | null | undefined

/**
 * Decides, before anything else and before the acknowledgement, whether a
 * command may record events and where. Throwing or rejecting refuses too
 * (the person is told the check failed; the error is logged). It runs
 * inside Slack's three seconds, so keep it local or fast.
 *
 * @since 0.1.0
 * @category models
 */
export type Authorize = (request: AuthorizeRequest) => AuthorizeResult | PromiseLike<AuthorizeResult>

/**
 * The services the command runs on, from `@entrata-events/propexo`'s
 * `ApplicantEventsLive.layer()`. `WriteStatus` (since 0.2.0) tells when
 * Entrata has recorded a queued event.
 *
 * @since 0.1.0
 * @category models
 */
export type Services = ApplicantEvents | EventTypeCatalog | WriteStatus

/**
 * Who sees a message: the person who typed the command, or the channel.
 *
 * @since 0.2.0
 * @category schemas
 */
export const ResponseType: typeof Messages.ResponseType = Messages.ResponseType

/**
 * @since 0.1.0
 * @category models
 */
export type ResponseType = Messages.ResponseType

/**
 * Options {@link registerApplicantEventCommand} or {@link makeExpressApp}
 * refused, each issue naming the option and the rule it breaks; thrown at
 * registration.
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
 * The command's options, apart from where it runs ({@link ServicesOptions}).
 *
 * @since 0.2.0
 * @category models
 */
export interface BaseOptions {
  /** Required: without it any workspace that installs the app could write to Propexo. */
  readonly authorize: Authorize
  /** Default {@link DEFAULT_COMMAND}. */
  readonly command?: string | undefined
  /** The IANA zone typed times are read in; default `America/Denver`. */
  readonly timeZone?: string | undefined
  /** The clock `now`, `today` and times without a date are read by; default the live clock. */
  readonly clock?: Clock.Clock | undefined
  /**
   * Who sees the outcome of a create (what was recorded, or why not):
   * default `ephemeral`. Help, refusals and problems with the text are
   * always ephemeral.
   */
  readonly responseType?: ResponseType | undefined
  /**
   * How long to follow Propexo's write status once the event is queued,
   * before saying that Entrata has not applied it yet; default 2 minutes.
   *
   * @since 0.2.0
   */
  readonly writeStatusTimeout?: Duration.DurationInput | undefined
}

/**
 * Where the work runs: `runtime`, a `ManagedRuntime` the host owns and
 * disposes of itself, or `layer`, from which the command builds a runtime
 * of its own once, released by {@link RegisteredCommand}'s `dispose`.
 *
 * @since 0.2.0
 * @category models
 */
export type ServicesOptions =
  | { readonly runtime: ManagedRuntime.ManagedRuntime<Services, unknown>; readonly layer?: undefined }
  | { readonly layer: Layer.Layer<Services, unknown>; readonly runtime?: undefined }

/**
 * @since 0.1.0
 * @category models
 */
export type Options = BaseOptions & ServicesOptions

/**
 * A registered command.
 *
 * @since 0.2.0
 * @category models
 */
export interface RegisteredCommand {
  /**
   * Resolves once no command is under way: every command received has been
   * acknowledged and has had its follow-ups posted (or given up on),
   * counting those that arrive while it waits; at once when none is. A
   * server stopping awaits it (within its grace period) after it stops
   * accepting requests and before it disposes of the runtime.
   */
  readonly whenIdle: () => Promise<void>
  /**
   * Stops following write statuses: every command waiting for Entrata's
   * verdict posts at once that the app stopped following its job (the
   * event stays queued), and later commands do not wait for it. For a
   * server whose grace period is over: `whenIdle()` then resolves once
   * those messages are out, and the runtime can be disposed of. Creates
   * already under way are not stopped.
   */
  readonly stopFollowingWrites: () => void
  /**
   * Releases the runtime built from `layer`, after `whenIdle()`; a no-op
   * when the host passed its own `runtime`.
   */
  readonly dispose: () => Promise<void>
}

const PROVIDING = "providing ApplicantEvents, EventTypeCatalog and WriteStatus"

const MISSING_AUTHORIZE = "is required: a function from { team_id, user_id, channel_id } to the Propexo " +
  "integration id that workspace records to (null to refuse). Without it any Slack workspace that " +
  "installs the app could record events in Propexo."

const isFunction = (u: unknown): boolean => typeof u === "function"

const isClock = (u: unknown): boolean =>
  typeof u === "object" && u !== null && Clock.ClockTypeId in u && isFunction(Reflect.get(u, "unsafeCurrentTimeMillis"))

const optional = <A, I>(schema: Schema.Schema<A, I>) => Schema.optionalWith(schema, { exact: true })

const withDefault = <A, I>(schema: Schema.Schema<A, I>, value: () => A) =>
  Schema.optionalWith(schema, { exact: true, default: value })

const SlashCommandName = Schema.String.pipe(
  Schema.pattern(/^\/[^\s/]+$/),
  (schema) =>
    schema.annotations({
      message: (issue) => ({
        message: `must be a slash command such as /applicant-event, got ${JSON.stringify(issue.actual)}`,
        override: true
      })
    })
)

/** The options, read so that a misconfiguration fails at registration rather than on a command. */
const settingsOf = Options_.decodeSync(
  "registerApplicantEventCommand",
  Schema.Struct({
    runtime: optional(
      Options_.declared<ManagedRuntime.ManagedRuntime<Services, unknown>>(
        ManagedRuntime.isManagedRuntime,
        `must be a ManagedRuntime ${PROVIDING}`
      )
    ),
    layer: optional(Options_.declared<Layer.Layer<Services, unknown>>(Layer.isLayer, `must be a Layer ${PROVIDING}`)),
    authorize: Schema.propertySignature(Options_.declared<Authorize>(isFunction, MISSING_AUTHORIZE)).annotations({
      missingMessage: () => MISSING_AUTHORIZE
    }),
    command: withDefault(SlashCommandName, () => DEFAULT_COMMAND),
    timeZone: withDefault(Options_.TimeZone, () => MountainTime.TIME_ZONE),
    clock: withDefault(Options_.declared<Clock.Clock>(isClock, "must be an Effect Clock"), () => Clock.make()),
    responseType: withDefault(
      ResponseType.annotations({ message: () => ({ message: "must be \"ephemeral\" or \"in_channel\"", override: true }) }),
      () => "ephemeral" as const
    ),
    writeStatusTimeout: withDefault(Options_.FiniteDuration("refused"), () => Duration.minutes(2))
  }).pipe(Schema.filter((options) => [
    options.runtime === undefined && options.layer === undefined
      ? { path: ["runtime"], message: `or options.layer is required: a ManagedRuntime or a Layer ${PROVIDING}` }
      : undefined,
    options.runtime !== undefined && options.layer !== undefined
      ? { path: ["layer"], message: "cannot be given with options.runtime: pass one of them" }
      : undefined
  ]))
)

type Settings = ReturnType<typeof settingsOf>

/**
 * Polls of a queued write: soon at first (most are applied in seconds),
 * then at most every 30 s, so that a slow PMS costs little of the quota.
 */
const writeStatusSchedule = (timeout: Duration.Duration): Schedule.Schedule<unknown> =>
  Schedule.exponential("500 millis").pipe(Schedule.union(Schedule.spaced("30 seconds")), Schedule.upTo(timeout))

const messageOf = (error: unknown): string => error instanceof Error ? error.message : String(error)

/** The authorization of a command, or the answer refusing it. */
const authorizeCommand = (
  settings: Settings,
  payload: SlashCommand
): Effect.Effect<Either.Either<Authorization, Messages.Message>> =>
  Effect.gen(function*() {
    const request: AuthorizeRequest = {
      team_id: payload.team_id,
      user_id: payload.user_id,
      channel_id: payload.channel_id,
      ...(payload.enterprise_id === undefined ? {} : { enterprise_id: payload.enterprise_id })
    }
    const result = yield* Effect.either(
      Effect.tryPromise({ try: async () => await settings.authorize(request), catch: messageOf })
    )
    if (Either.isLeft(result)) {
      yield* Effect.logWarning(`authorize failed for team ${payload.team_id}: ${result.left}`)
      return Either.left(Messages.authorizeFailed(settings.command))
    }
    const authorization = typeof result.right === "string" ? { integrationId: result.right } : result.right
    if (authorization === null || authorization === undefined) return Either.left(Messages.refused(settings.command))
    if (typeof authorization.integrationId !== "string" || authorization.integrationId.trim() === "") {
      yield* Effect.logWarning(`authorize gave no integration id for team ${payload.team_id}`)
      return Either.left(Messages.refused(settings.command))
    }
    return Either.right(authorization)
  })

interface Work {
  readonly text: string
  readonly authorization: Authorization
  readonly now: number
}

/** What a command gets at once, and the work that follows when it goes on to Propexo. */
interface Decision {
  readonly ack: Messages.Message
  readonly work?: Work | undefined
}

/**
 * Authorizes the command and reads its text without the catalog: the
 * acknowledgement, and the work to do after it.
 */
const decide = (settings: Settings, payload: SlashCommand): Effect.Effect<Decision> =>
  Effect.gen(function*() {
    const now = yield* settings.clock.currentTimeMillis
    const authorized = yield* authorizeCommand(settings, payload)
    if (Either.isLeft(authorized)) return { ack: authorized.left }
    const authorization = authorized.right
    const syntax = parseCommandText(payload.text, {
      integrationId: authorization.integrationId,
      now,
      timeZone: settings.timeZone
    })
    if (syntax._tag === "Help") return { ack: Messages.help(HELP_TEXT, settings.command) }
    if (syntax._tag === "Problems" && !catalogMayClearProblems(payload.text)) {
      return { ack: Messages.problems(settings.command, syntax.problems) }
    }
    return { ack: Messages.recording, work: { text: payload.text, authorization, now } }
  })

/** The first follow-up, and the event to follow further when Propexo queued it. */
interface Outcome {
  readonly message: Messages.Message
  readonly queued?: Messages.Queued | undefined
}

/**
 * After the acknowledgement: reads the catalog (a failure only loses the
 * names), parses with it, creates the event, and answers with the outcome.
 */
const record = (settings: Settings, work: Work): Effect.Effect<Outcome, never, Services> =>
  Effect.gen(function*() {
    const { authorization: { integrationId, propertyId } } = work
    const catalog = yield* EventTypeCatalog
    const eventTypes = yield* Effect.either(
      catalog.eventTypes({ integration_id: integrationId, property_id: propertyId })
    )
    if (Either.isLeft(eventTypes)) {
      yield* Effect.logWarning(`the event type catalog could not be read: ${eventTypes.left.message}`)
    }
    const reading = Either.isRight(eventTypes) ? readCatalog(eventTypes.right) : undefined
    const footnotes = Either.isLeft(eventTypes) ? [Messages.catalogUnavailable(eventTypes.left.message)] : []
    const parsed = parseCommandText(work.text, {
      integrationId,
      now: work.now,
      timeZone: settings.timeZone,
      catalog: reading?.catalog
    })
    const ambiguity = reading === undefined ? undefined : ambiguityOf(work.text, reading)
    if (parsed._tag === "Help") return { message: Messages.help(HELP_TEXT, settings.command) }
    if (parsed._tag === "Problems" || ambiguity !== undefined) {
      const problems = parsed._tag === "Problems" ? parsed.problems : []
      const all = ambiguity === undefined ? problems : [ambiguity, ...problems]
      return { message: Messages.problems(settings.command, all, footnotes) }
    }
    const { event } = parsed
    const typeName = reading?.names.get(event.event_type_id) ?? event.event_type_id
    const events = yield* ApplicantEvents
    const created = yield* Effect.either(events.create(event))
    if (Either.isLeft(created)) {
      yield* Effect.logWarning(`recording an event in integration ${integrationId} failed: ${created.left.message}`)
      return { message: Messages.failed(settings.responseType, created.left, event, typeName, footnotes) }
    }
    yield* Effect.logInfo(`Propexo queued an event in integration ${integrationId} as job ${created.right.job_id}`)
    const queued: Messages.Queued = { job_id: created.right.job_id, sent: created.right.sent, typeName }
    return { message: Messages.queued(settings.responseType, queued, footnotes), queued }
  }).pipe(
    Effect.withSpan("ApplicantEventCommand.record", {
      attributes: { "propexo.integration_id": work.authorization.integrationId }
    })
  )

/**
 * Follows a queued event's write status until Entrata records or refuses
 * it, or the schedule runs out, and answers with what it says.
 */
const followWrite = (settings: Settings, schedule: Schedule.Schedule<unknown>, queued: Messages.Queued) =>
  Effect.gen(function*() {
    const writes = yield* WriteStatus
    const done = yield* Effect.either(writes.awaitCompletion(queued.job_id, { schedule }))
    if (Either.isRight(done)) {
      yield* Effect.logInfo(`Entrata recorded the event of Propexo job ${queued.job_id}`)
      return Messages.recorded(settings.responseType, queued, done.right)
    }
    const error = done.left
    yield* Effect.logWarning(`Propexo job ${queued.job_id}: ${error.message}`)
    return error._tag === "WriteFailed" || error._tag === "WriteStillPending"
      ? Messages.failed(settings.responseType, error, queued.sent, queued.typeName, [])
      : Messages.writeStatusUnknown(settings.responseType, queued, error.message)
  }).pipe(
    Effect.withSpan("ApplicantEventCommand.followWrite", { attributes: { "propexo.job_id": queued.job_id } })
  )

/** Logs why work ended without an answer: at `warn` when it was stopped, at `error` otherwise. */
const logCause = (what: string, cause: Cause.Cause<unknown>) =>
  Cause.isInterruptedOnly(cause)
    ? Effect.logWarning(`${what} was stopped`)
    : Effect.logError(`${what} failed unexpectedly`, cause)

/** The keys a replay of this command shares with it: its trigger id, and its signature and timestamp when known. */
const replayKeysOf = (payload: SlashCommand, signed: SignedRequests.SignedRequest | undefined): Array<string> => {
  const keys = hasTrigger(payload) ? [`trigger ${payload.trigger_id}`] : []
  if (signed !== undefined) keys.push(`signature ${signed.timestamp} ${signed.signature}`)
  return keys
}

const hasTrigger = (payload: SlashCommand): boolean =>
  typeof payload.trigger_id === "string" && payload.trigger_id !== ""

// Under a burst of commands, how long a follow-up may wait for the
// acknowledgements of the commands behind it: far inside the half hour a
// response URL lives, and short enough that nobody wonders.
const FOLLOW_UP_MAX_WAIT_MILLIS = 1_000

type ListenerArgs = SlackCommandMiddlewareArgs & AllMiddlewareArgs

/**
 * Registers the command on a Bolt app. The listener authorizes the
 * command, acknowledges it at once (with the help, the problems Slack's
 * text alone shows, a refusal, or "recording…"), then reads the event type
 * catalog, creates the event and posts the outcome to the response URL:
 * "Queued in Entrata (job …)" once Propexo accepted it, then "Recorded in
 * Entrata" once its write status says so (or why not). Under a burst, the
 * acknowledgements go out first: the work after them starts one command
 * per turn of the event loop (none waits over a second).
 *
 * A command replayed within five minutes (the same `trigger_id`, or, with
 * {@link makeExpressApp}'s receiver, the same signature and timestamp) gets
 * the first one's acknowledgement and nothing else: no second event, no
 * follow-up.
 *
 * Each command runs as one Effect on the runtime, in the span
 * `ApplicantEventCommand.command`, its log lines annotated with `command`,
 * `team` and, when Slack gives one, `triggerId`. In its fibers Bolt's
 * logger (`app.logger`) stands in for Effect's default logger, so these
 * lines, the Propexo client's among them, go to Bolt's logger with their
 * annotations, log spans and trace ids.
 *
 * Throws {@link InvalidOptions} at once when `authorize` is missing, when
 * neither `runtime` nor `layer` is given (or both), or an option is
 * invalid. Leave the receiver's `processBeforeResponse` off (the default):
 * with it, Bolt holds the acknowledgement until the listener ends, after
 * Propexo answers.
 *
 * @since 0.1.0
 * @category registration
 */
export const registerApplicantEventCommand = (app: App, options: Options): RegisteredCommand => {
  const settings = settingsOf(options)
  // The filter above has made sure that one of the two is given.
  const { dispose, runtime } = Options_.runsOf(settings.runtime ?? settings.layer!)
  const schedule = writeStatusSchedule(settings.writeStatusTimeout)
  const withLogger = Logging.withLogger(Logging.make(() => app.logger))
  const followUps = FollowUps.make({ maxWaitMillis: FOLLOW_UP_MAX_WAIT_MILLIS })
  const replays = Replays.make<Deferred.Deferred<Decision>>({
    windowMillis: SignedRequests.WINDOW_MILLIS,
    now: Date.now
  })
  const underWay = UnderWay.make()
  const stopping = Deferred.unsafeMake<void>(FiberId.none)

  /** Everything after the acknowledgement: the outcome, then, for a queued event, Entrata's verdict. */
  const followUp = (work: Work, respond: RespondFn) =>
    Effect.gen(function*() {
      const post = (message: Messages.Message) =>
        Effect.tryPromise(() => respond(message)).pipe(
          Effect.catchAll(({ error }) =>
            Effect.logError(`could not post the outcome to the response URL: ${messageOf(error)}`)
          )
        )
      yield* followUps.turn
      const outcome = yield* Effect.exit(record(settings, work))
      if (Exit.isFailure(outcome)) {
        yield* logCause("recording", outcome.cause)
        return yield* post(Messages.unknownOutcome(settings.responseType))
      }
      yield* post(outcome.value.message)
      const { queued } = outcome.value
      if (queued === undefined) return
      const following = `following Propexo job ${queued.job_id}`
      // Stopping wins the race at once, and interrupts the polls under way.
      const verdict = yield* Effect.raceFirst(
        Effect.exit(followWrite(settings, schedule, queued)),
        Effect.as(Deferred.await(stopping), undefined)
      )
      if (verdict === undefined) yield* Effect.logWarning(`${following} was stopped`)
      else if (Exit.isFailure(verdict)) yield* logCause(following, verdict.cause)
      yield* post(
        verdict !== undefined && Exit.isSuccess(verdict)
          ? verdict.value
          : Messages.writeStatusUnknown(settings.responseType, queued, undefined)
      )
    }).pipe(Effect.annotateLogs("integration", work.authorization.integrationId))

  const handle = ({ ack, command: payload, context, respond }: ListenerArgs) =>
    Effect.gen(function*() {
      const signed = SignedRequests.signedRequestIn(context)
      const first = yield* Deferred.make<Decision>()
      const { answer, replay } = replays.once(
        replayKeysOf(payload, signed),
        signed === undefined ? undefined : signed.timestamp * 1000,
        () => first
      )
      if (replay) {
        const decision = yield* Deferred.await(answer)
        const same = hasTrigger(payload) ? `trigger_id ${payload.trigger_id}` : "signature and timestamp"
        yield* Effect.logWarning(
          `a replay (same ${same}) got the first command's acknowledgement; nothing was recorded again`
        )
        return yield* Effect.promise(() => ack(decision.ack))
      }
      yield* Effect.intoDeferred(decide(settings, payload), first)
      const decision = yield* Deferred.await(first)
      yield* Effect.promise(() => ack(decision.ack))
      if (decision.work !== undefined) yield* followUp(decision.work, respond)
    }).pipe(
      Effect.withLogSpan("slackCommand"),
      Effect.annotateLogs({
        command: settings.command,
        team: payload.team_id,
        ...(hasTrigger(payload) ? { triggerId: payload.trigger_id } : {})
      }),
      Effect.withSpan("ApplicantEventCommand.command", {
        attributes: { "slack.command": settings.command, "slack.team_id": payload.team_id },
        // The span's place in this module says nothing a trace needs, and capturing it costs.
        captureStackTrace: false
      }),
      withLogger
    )

  app.command(settings.command, (args) => {
    let acked = false
    const ack: ListenerArgs["ack"] = (response) => {
      acked = true
      return args.ack(response)
    }
    return underWay.track(
      runtime.runPromiseExit(handle({ ...args, ack })).then(async (exit) => {
        if (Exit.isSuccess(exit)) return
        // The runtime itself failed (its layer could not be built): its loggers may be gone too.
        Effect.runSync(withLogger(Effect.logError("the command could not run", exit.cause)))
        if (!acked) return ack(Messages.unavailable(settings.command))
        throw Cause.squash(exit.cause)
      })
    )
  })
  return {
    whenIdle: underWay.whenIdle,
    stopFollowingWrites: () => Deferred.unsafeDone(stopping, Exit.void),
    dispose
  }
}

/**
 * The most bytes of a request body {@link makeExpressApp}'s receiver reads.
 *
 * @since 0.2.0
 * @category constants
 */
export const DEFAULT_BODY_LIMIT = 65_536

/**
 * @since 0.1.0
 * @category models
 */
export type ExpressAppOptions = Options & {
  /** The app's signing secret, from its Basic Information page. */
  readonly signingSecret: Redacted.Redacted<string>
  /** The path Slack posts commands to (the request URL's); default `/slack/events`. */
  readonly endpoint?: string | undefined
  readonly logger?: Logger | undefined
  readonly logLevel?: LogLevel | undefined
  /**
   * The most bytes of a body read: a larger one is refused with 413 as
   * soon as its `Content-Length` or its bytes so far exceed it, before it
   * is verified. Default {@link DEFAULT_BODY_LIMIT} (64 KiB; Slack's
   * commands are a few KiB).
   *
   * @since 0.2.0
   */
  readonly bodyLimit?: number | undefined
}

const LOG_LEVELS: ReadonlyArray<unknown> = Object.values(LogLevel)

const receiverSettingsOf = Options_.decodeSync(
  "makeExpressApp",
  Schema.Struct({
    signingSecret: Schema.propertySignature(
      Options_.declared<Redacted.Redacted<string>>(
        Redacted.isRedacted,
        "must be Redacted (Redacted.make(secret)), so it is never logged"
      )
    ).annotations({ missingMessage: () => "is required: the app's signing secret, Redacted (Redacted.make(secret))" }),
    endpoint: Schema.optionalWith(Schema.String, { exact: true, default: () => "/slack/events" }),
    logger: optional(Options_.declared<Logger>((u) => typeof u === "object" && u !== null, "must be a Bolt Logger")),
    logLevel: optional(
      Options_.declared<LogLevel>((u) => LOG_LEVELS.includes(u), `must be one of ${LOG_LEVELS.join(", ")}`)
    ),
    bodyLimit: withDefault(Options_.PositiveInt("must be a positive whole number of bytes"), () => DEFAULT_BODY_LIMIT)
  })
)

/**
 * A Bolt app on an `ExpressReceiver` whose only listener is the command.
 * It needs no bot token (the command answers through its acknowledgement
 * and response URL), so it never calls Slack's Web API. Serve
 * `receiver.app` (`receiver.app.listen(port)`), or mount `receiver.router`
 * on an Express app ahead of any body parser: Bolt verifies signatures on
 * the raw body.
 *
 * Before Bolt reads a request, the receiver refuses with 401 one whose
 * `X-Slack-Request-Timestamp` is more than five minutes from now in either
 * direction (Bolt checks only the past), and with 413 a body over
 * `bodyLimit`, logging each refusal through Effect's logger to Bolt's.
 * `command` is the {@link RegisteredCommand}. Throws {@link InvalidOptions}
 * for options that cannot work.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeExpressApp = (
  options: ExpressAppOptions
): { readonly app: App; readonly receiver: ExpressReceiver; readonly command: RegisteredCommand } => {
  const { bodyLimit, endpoint, logLevel, logger, signingSecret: secret } = receiverSettingsOf(options)
  // A function, so the secret stays redacted inside the receiver.
  const signingSecret = () => Promise.resolve(Redacted.value(secret))
  const logging = {
    ...(logger === undefined ? {} : { logger }),
    ...(logLevel === undefined ? {} : { logLevel })
  }
  // A receiver without endpoints lends an Express router (this package has
  // no Express of its own): the checks go on it first, so they run before
  // the handlers Bolt's receiver adds to it, which read the body.
  const { router } = new ExpressReceiver({ signingSecret, endpoints: {}, ...logging })
  // Requests arrive once `app` is made below.
  const withLogger = Logging.withLogger(Logging.make(() => app.logger))
  const warn = (message: string) => Effect.runSync(withLogger(Effect.logWarning(message)))
  router.post(
    endpoint,
    BodyLimit.refuseAnnouncedOver(bodyLimit, warn),
    SignedRequests.refuseOutsideWindow(warn, Date.now)
  )
  const receiver = new ExpressReceiver({
    signingSecret,
    endpoints: endpoint,
    router,
    bodyLimit,
    customPropertiesExtractor: SignedRequests.signedRequestOf,
    ...logging
  })
  const app = new App({
    receiver,
    // Slash commands need no token: nothing here calls Slack's Web API.
    authorize: () => Promise.resolve({}),
    convoStore: false,
    ...logging
  })
  const command = registerApplicantEventCommand(app, options)
  return { app, receiver, command }
}
