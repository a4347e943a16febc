/**
 * The `/applicant-event` slash command in a Slack Bolt app: it
 * acknowledges at once, records the event through `ApplicantEvents`, and
 * posts the outcome to the command's response URL.
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
import { App, ExpressReceiver, type Logger, type LogLevel, type SlashCommand } from "@slack/bolt"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import { HELP_TEXT, parseCommandText } from "./CommandText.js"
import * as FollowUps from "./internal/followUps.js"
import * as Messages from "./internal/messages.js"
import { ambiguityOf, catalogMayClearProblems, readCatalog } from "./internal/reading.js"

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
 * `ApplicantEventsLive.layer()`.
 *
 * @since 0.1.0
 * @category models
 */
export type Services = ApplicantEvents | EventTypeCatalog

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
}

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
    fail("options.runtime must be a ManagedRuntime providing ApplicantEvents and EventTypeCatalog")
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
  return {
    runtime: options.runtime,
    authorize: options.authorize,
    command,
    timeZone,
    clock: options.clock ?? Clock.make(),
    responseType
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

/**
 * After the acknowledgement: reads the catalog (a failure only loses the
 * names), parses with it, creates the event, and answers with the outcome.
 */
const record = (settings: Settings, work: Work, logger: Logger) =>
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
    if (parsed._tag === "Help") return Messages.help(HELP_TEXT, settings.command)
    if (parsed._tag === "Problems" || ambiguity !== undefined) {
      const problems = parsed._tag === "Problems" ? parsed.problems : []
      const all = ambiguity === undefined ? problems : [ambiguity, ...problems]
      return Messages.problems(settings.command, all, footnotes)
    }
    const { event } = parsed
    const typeName = reading?.names.get(event.event_type_id) ?? event.event_type_id
    const events = yield* ApplicantEvents
    const created = yield* Effect.either(events.create(event))
    if (Either.isLeft(created)) {
      logger.warn(
        `${settings.command}: recording an event in integration ${integrationId} failed: ${created.left.message}`
      )
      return Messages.failed(settings.responseType, created.left, event, typeName, footnotes)
    }
    logger.info(
      `${settings.command}: recorded an event in integration ${integrationId} as Propexo job ${created.right.job_id}`
    )
    return Messages.recorded(settings.responseType, created.right, typeName, footnotes)
  }).pipe(
    Effect.withSpan("ApplicantEventCommand.record", {
      attributes: { "propexo.integration_id": work.authorization.integrationId }
    })
  )

// Under a burst of commands, how long a follow-up may wait for the
// acknowledgements of the commands behind it: far inside the half hour a
// response URL lives, and short enough that nobody wonders.
const FOLLOW_UP_MAX_WAIT_MILLIS = 1_000

/**
 * Registers the command on a Bolt app. The listener authorizes the
 * command, acknowledges it at once (with the help, the problems Slack's
 * text alone shows, a refusal, or "recording…"), then reads the event type
 * catalog, creates the event and posts the outcome to the response URL.
 * Under a burst, the acknowledgements go out first: the work after them
 * starts one command per turn of the event loop (none waits over a second).
 *
 * Throws a `TypeError` at once when `authorize` or `runtime` is missing or
 * an option is invalid. Leave the receiver's `processBeforeResponse` off
 * (the default): with it, Bolt holds the acknowledgement until the listener
 * ends, after Propexo answers.
 *
 * @since 0.1.0
 * @category registration
 */
export const registerApplicantEventCommand = (app: App, options: Options): void => {
  const settings = settingsOf(options)
  const followUps = FollowUps.make({ maxWaitMillis: FOLLOW_UP_MAX_WAIT_MILLIS })
  app.command(settings.command, async ({ ack, command: payload, logger, respond }) => {
    const now = Effect.runSync(settings.clock.currentTimeMillis)
    const authorized = await authorizeCommand(settings, payload, logger)
    if (Either.isLeft(authorized)) return ack(authorized.left)
    const authorization = authorized.right
    const syntax = parseCommandText(payload.text, {
      integrationId: authorization.integrationId,
      now,
      timeZone: settings.timeZone
    })
    if (syntax._tag === "Help") return ack(Messages.help(HELP_TEXT, settings.command))
    if (syntax._tag === "Problems" && !catalogMayClearProblems(payload.text)) {
      return ack(Messages.problems(settings.command, syntax.problems))
    }
    await ack(Messages.recording)

    const work = { text: payload.text, authorization, now }
    const exit = await followUps.run(() => settings.runtime.runPromiseExit(record(settings, work, logger)))
    if (Exit.isFailure(exit)) {
      logger.error(`${settings.command}: recording failed unexpectedly: ${Cause.pretty(exit.cause)}`)
    }
    const message = Exit.isSuccess(exit) ? exit.value : Messages.unknownOutcome(settings.responseType)
    try {
      await respond(message)
    } catch (error) {
      logger.error(`${settings.command}: could not post the outcome to the response URL: ${messageOf(error)}`)
    }
  })
}

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
}

/**
 * A Bolt app on an `ExpressReceiver` whose only listener is the command.
 * It needs no bot token (the command answers through its acknowledgement
 * and response URL), so it never calls Slack's Web API. Serve
 * `receiver.app` (`receiver.app.listen(port)`), or mount `receiver.router`
 * on an Express app ahead of any body parser: Bolt verifies signatures on
 * the raw body.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeExpressApp = (
  options: ExpressAppOptions
): { readonly app: App; readonly receiver: ExpressReceiver } => {
  if (!Redacted.isRedacted(options.signingSecret)) {
    fail("options.signingSecret must be Redacted (Redacted.make(secret)), so it is never logged", "makeExpressApp")
  }
  const secret = options.signingSecret
  const logging = {
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    ...(options.logLevel === undefined ? {} : { logLevel: options.logLevel })
  }
  const receiver = new ExpressReceiver({
    // A function, so the secret stays redacted inside the receiver.
    signingSecret: () => Promise.resolve(Redacted.value(secret)),
    endpoints: options.endpoint ?? "/slack/events",
    ...logging
  })
  const app = new App({
    receiver,
    // Slash commands need no token: nothing here calls Slack's Web API.
    authorize: () => Promise.resolve({}),
    convoStore: false,
    ...logging
  })
  registerApplicantEventCommand(app, options)
  return { app, receiver }
}
