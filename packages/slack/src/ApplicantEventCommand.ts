/**
 * The `/applicant-event` slash command in a Slack Bolt app: it
 * acknowledges at once, records the event through `ApplicantEvents`, and
 * posts to the command's response URL that Propexo queued it, then whether
 * Entrata recorded it.
 *
 * ```ts
 * const runtime = ManagedRuntime.make(
 *   ApplicantEventsLive.layer().pipe(
 *     Layer.provide(PropexoConfig.layerConfig()),
 *     Layer.provide(NodeHttpClient.layerUndici)
 *   )
 * )
 * registerApplicantEventCommand(app, {
 *   runtime,
 *   authorize: ({ team_id }) => integrationOfWorkspace.get(team_id)
 * })
 * ```
 *
 * @since 0.1.0
 */
import { ApplicantEvents } from "@entrata-events/core/ApplicantEvents"
import * as MountainTime from "@entrata-events/core/MountainTime"
import { EventTypeCatalog } from "@entrata-events/propexo/EventTypeCatalog"
import { WriteStatus } from "@entrata-events/propexo/WriteStatus"
import {
  App,
  ExpressReceiver,
  type Logger,
  type LogLevel,
  type RespondFn,
  type SlashCommand
} from "@slack/bolt"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import { HELP_TEXT, parseCommandText } from "./CommandText.js"
import * as BodyLimit from "./internal/bodyLimit.js"
import * as FollowUps from "./internal/followUps.js"
import * as Messages from "./internal/messages.js"
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
 * @since 0.1.0
 * @category models
 */
export type ResponseType = "ephemeral" | "in_channel"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Runs the work after the acknowledgement; its owner disposes of it. */
  readonly runtime: ManagedRuntime.ManagedRuntime<Services, unknown>
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
}

const fail = (reason: string, from = "registerApplicantEventCommand"): never => {
  throw new TypeError(`${from}: ${reason}`)
}

interface Settings {
  readonly runtime: ManagedRuntime.ManagedRuntime<Services, unknown>
  readonly authorize: Authorize
  readonly command: string
  readonly timeZone: string
  readonly clock: Clock.Clock
  readonly responseType: ResponseType
  readonly writeStatus: Schedule.Schedule<unknown>
}

/**
 * Polls of a queued write: soon at first (most are applied in seconds),
 * then at most every 30 s, so that a slow PMS costs little of the quota.
 */
const writeStatusSchedule = (timeout: Duration.Duration): Schedule.Schedule<unknown> =>
  Schedule.exponential("500 millis").pipe(Schedule.union(Schedule.spaced("30 seconds")), Schedule.upTo(timeout))

/** The options, checked so that a misconfiguration fails at start-up rather than on a command. */
const settingsOf = (options: Options): Settings => {
  if (typeof options !== "object" || options === null) fail("options are required")
  if (typeof options.authorize !== "function") {
    fail(
      "options.authorize is required: a function from { team_id, user_id, channel_id } to the Propexo " +
        "integration id that workspace records to (null to refuse). Without it any Slack workspace that " +
        "installs the app could record events in Propexo."
    )
  }
  if (!ManagedRuntime.isManagedRuntime(options.runtime)) {
    fail("options.runtime must be a ManagedRuntime providing ApplicantEvents, EventTypeCatalog and WriteStatus")
  }
  const command = options.command ?? DEFAULT_COMMAND
  if (!/^\/[^\s/]+$/.test(command)) {
    fail(`options.command must be a slash command such as /applicant-event, got ${JSON.stringify(command)}`)
  }
  const timeZone = options.timeZone ?? MountainTime.TIME_ZONE
  const probe = MountainTime.fromWallClock("2000-01-15T12:00:00", { timeZone })
  if (Either.isLeft(probe) && probe.left._tag === "UnknownTimeZone") fail(`options.timeZone: ${probe.left.message}`)
  const responseType = options.responseType ?? "ephemeral"
  if (responseType !== "ephemeral" && responseType !== "in_channel") {
    fail(`options.responseType must be "ephemeral" or "in_channel", got ${JSON.stringify(responseType)}`)
  }
  const writeStatusTimeout = Option.getOrElse(
    Option.filter(
      Duration.decodeUnknown(options.writeStatusTimeout ?? "2 minutes"),
      (d) => Duration.isFinite(d) && Duration.greaterThan(d, Duration.zero)
    ),
    () => fail(`options.writeStatusTimeout must be a positive, finite duration such as "2 minutes"`)
  )
  return {
    runtime: options.runtime,
    authorize: options.authorize,
    command,
    timeZone,
    clock: options.clock ?? Clock.make(),
    responseType,
    writeStatus: writeStatusSchedule(writeStatusTimeout)
  }
}

const messageOf = (error: unknown): string => error instanceof Error ? error.message : String(error)

/** The authorization of a command, or the answer refusing it. */
const authorizeCommand = async (
  settings: Settings,
  payload: SlashCommand,
  logger: Logger
): Promise<Either.Either<Authorization, Messages.Message>> => {
  let result: AuthorizeResult
  try {
    result = await settings.authorize({
      team_id: payload.team_id,
      user_id: payload.user_id,
      channel_id: payload.channel_id,
      ...(payload.enterprise_id === undefined ? {} : { enterprise_id: payload.enterprise_id })
    })
  } catch (error) {
    logger.warn(`${settings.command}: authorize failed for team ${payload.team_id}: ${messageOf(error)}`)
    return Either.left(Messages.authorizeFailed(settings.command))
  }
  const authorization = typeof result === "string" ? { integrationId: result } : result
  if (authorization === null || authorization === undefined) return Either.left(Messages.refused(settings.command))
  if (typeof authorization.integrationId !== "string" || authorization.integrationId.trim() === "") {
    logger.warn(`${settings.command}: authorize gave no integration id for team ${payload.team_id}`)
    return Either.left(Messages.refused(settings.command))
  }
  return Either.right(authorization)
}

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
const decide = async (settings: Settings, payload: SlashCommand, logger: Logger): Promise<Decision> => {
  const now = Effect.runSync(settings.clock.currentTimeMillis)
  const authorized = await authorizeCommand(settings, payload, logger)
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
}

/** The first follow-up, and the event to follow further when Propexo queued it. */
interface Outcome {
  readonly message: Messages.Message
  readonly queued?: Messages.Queued | undefined
}

/**
 * After the acknowledgement: reads the catalog (a failure only loses the
 * names), parses with it, creates the event, and answers with the outcome.
 */
const record = (settings: Settings, work: Work, logger: Logger): Effect.Effect<Outcome, never, Services> =>
  Effect.gen(function*() {
    const { authorization: { integrationId, propertyId } } = work
    const catalog = yield* EventTypeCatalog
    const eventTypes = yield* Effect.either(
      catalog.eventTypes({ integration_id: integrationId, property_id: propertyId })
    )
    if (Either.isLeft(eventTypes)) {
      logger.warn(`${settings.command}: the event type catalog could not be read: ${eventTypes.left.message}`)
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
      logger.warn(
        `${settings.command}: recording an event in integration ${integrationId} failed: ${created.left.message}`
      )
      return { message: Messages.failed(settings.responseType, created.left, event, typeName, footnotes) }
    }
    logger.info(
      `${settings.command}: Propexo queued an event in integration ${integrationId} as job ${created.right.job_id}`
    )
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
const followWrite = (settings: Settings, queued: Messages.Queued, logger: Logger) =>
  Effect.gen(function*() {
    const writes = yield* WriteStatus
    const done = yield* Effect.either(writes.awaitCompletion(queued.job_id, { schedule: settings.writeStatus }))
    if (Either.isRight(done)) {
      logger.info(`${settings.command}: Entrata recorded the event of Propexo job ${queued.job_id}`)
      return Messages.recorded(settings.responseType, queued, done.right)
    }
    const error = done.left
    logger.warn(`${settings.command}: Propexo job ${queued.job_id}: ${error.message}`)
    return error._tag === "WriteFailed" || error._tag === "WriteStillPending"
      ? Messages.failed(settings.responseType, error, queued.sent, queued.typeName, [])
      : Messages.writeStatusUnknown(settings.responseType, queued, error.message)
  }).pipe(
    Effect.withSpan("ApplicantEventCommand.followWrite", { attributes: { "propexo.job_id": queued.job_id } })
  )

/** Logs why work ended without an answer: at `warn` when it was stopped, at `error` otherwise. */
const logCause = (settings: Settings, logger: Logger, what: string, cause: Cause.Cause<unknown>) => {
  if (Cause.isInterruptedOnly(cause)) logger.warn(`${settings.command}: ${what} was stopped`)
  else logger.error(`${settings.command}: ${what} failed unexpectedly: ${Cause.pretty(cause)}`)
}

/** Everything after the acknowledgement: the outcome, then, for a queued event, Entrata's verdict. */
const followUp = async (
  settings: Settings,
  followUps: FollowUps.FollowUps,
  stopFollowing: AbortSignal,
  work: Work,
  logger: Logger,
  respond: RespondFn
): Promise<void> => {
  const post = async (message: Messages.Message) => {
    try {
      await respond(message)
    } catch (error) {
      logger.error(`${settings.command}: could not post the outcome to the response URL: ${messageOf(error)}`)
    }
  }
  const exit = await followUps.run(() => settings.runtime.runPromiseExit(record(settings, work, logger)))
  if (Exit.isFailure(exit)) {
    logCause(settings, logger, "recording", exit.cause)
    return post(Messages.unknownOutcome(settings.responseType))
  }
  await post(exit.value.message)
  const { queued } = exit.value
  if (queued === undefined) return
  const verdict = await settings.runtime.runPromiseExit(followWrite(settings, queued, logger), {
    signal: stopFollowing
  })
  if (Exit.isFailure(verdict)) logCause(settings, logger, `following Propexo job ${queued.job_id}`, verdict.cause)
  await post(
    Exit.isSuccess(verdict) ? verdict.value : Messages.writeStatusUnknown(settings.responseType, queued, undefined)
  )
}

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
 * Throws a `TypeError` at once when `authorize` or `runtime` is missing or
 * an option is invalid. Leave the receiver's `processBeforeResponse` off
 * (the default): with it, Bolt holds the acknowledgement until the listener
 * ends, after Propexo answers.
 *
 * @since 0.1.0
 * @category registration
 */
export const registerApplicantEventCommand = (app: App, options: Options): RegisteredCommand => {
  const settings = settingsOf(options)
  const followUps = FollowUps.make({ maxWaitMillis: FOLLOW_UP_MAX_WAIT_MILLIS })
  const replays = Replays.make<Promise<Decision>>({ windowMillis: SignedRequests.WINDOW_MILLIS, now: Date.now })
  const underWay = UnderWay.make()
  const stopping = new AbortController()
  app.command(settings.command, ({ ack, command: payload, context, logger, respond }) =>
    underWay.track((async () => {
      const signed = SignedRequests.signedRequestIn(context)
      const { answer, replay } = replays.once(
        replayKeysOf(payload, signed),
        signed === undefined ? undefined : signed.timestamp * 1000,
        () => decide(settings, payload, logger)
      )
      const decision = await answer
      if (replay) {
        const same = hasTrigger(payload) ? `trigger_id ${payload.trigger_id}` : "signature and timestamp"
        logger.warn(
          `${settings.command}: a replay (same ${same}) got the first command's acknowledgement; ` +
            "nothing was recorded again"
        )
        return ack(decision.ack)
      }
      await ack(decision.ack)
      if (decision.work !== undefined) {
        await followUp(settings, followUps, stopping.signal, decision.work, logger, respond)
      }
    })())
  )
  return { whenIdle: underWay.whenIdle, stopFollowingWrites: () => stopping.abort() }
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
export interface ExpressAppOptions extends Options {
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
 * `bodyLimit`. `command` is the {@link RegisteredCommand}.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeExpressApp = (
  options: ExpressAppOptions
): { readonly app: App; readonly receiver: ExpressReceiver; readonly command: RegisteredCommand } => {
  if (!Redacted.isRedacted(options.signingSecret)) {
    fail("options.signingSecret must be Redacted (Redacted.make(secret)), so it is never logged", "makeExpressApp")
  }
  const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT
  if (!Number.isSafeInteger(bodyLimit) || bodyLimit < 1) {
    fail("options.bodyLimit must be a positive whole number of bytes", "makeExpressApp")
  }
  const secret = options.signingSecret
  // A function, so the secret stays redacted inside the receiver.
  const signingSecret = () => Promise.resolve(Redacted.value(secret))
  const endpoint = options.endpoint ?? "/slack/events"
  const logging = {
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    ...(options.logLevel === undefined ? {} : { logLevel: options.logLevel })
  }
  // A receiver without endpoints lends an Express router (this package has
  // no Express of its own): the checks go on it first, so they run before
  // the handlers Bolt's receiver adds to it, which read the body.
  const { router } = new ExpressReceiver({ signingSecret, endpoints: {}, ...logging })
  // Requests arrive once `app` is made below.
  const logger = () => app.logger
  router.post(
    endpoint,
    BodyLimit.refuseAnnouncedOver(bodyLimit, logger),
    SignedRequests.refuseOutsideWindow(logger, Date.now)
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
