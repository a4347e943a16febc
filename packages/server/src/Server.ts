/**
 * The service: the Express route at `/applicant-events`, the Slack command
 * at `/slack/events`, health and readiness checks, over one Propexo client
 * (the embedded simulator when the configuration selects it). Every answer
 * of its own, unknown paths and malformed requests included, is JSON.
 *
 * It is an Effect program: {@link make} runs it for the life of a scope,
 * {@link layer} and {@link layerConfig} for the life of a layer, which
 * `main.ts` launches. Closing the scope (SIGTERM or SIGINT, through
 * `NodeRuntime.runMain`) stops it gracefully: it stops accepting, the
 * requests under way get the grace period to finish and the Slack
 * follow-ups what is left of it, then the Propexo client and the embedded
 * simulator are released.
 *
 * @since 0.1.0
 */
import { NodeHttpClient } from "@effect/platform-node"
import { ApplicantEventsLive, PropexoClient, PropexoConfig } from "@entrata-events/propexo"
import { createApplicantEventsRouter, Fallback, JobOwners } from "@entrata-events/express"
import { Sandbox, Seed } from "@entrata-events/sandbox"
import { ApplicantEventCommand } from "@entrata-events/slack"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import type * as ConfigError from "effect/ConfigError"
import * as Console from "effect/Console"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import * as Scope from "effect/Scope"
import express from "express"
import type * as Http from "node:http"
import * as Callers from "./internal/callers.js"
import * as ConfigErrors from "./internal/configError.js"
import * as Listener from "./internal/listener.js"
import * as ServerConfig from "./ServerConfig.js"

/**
 * Where a started service answers.
 *
 * @since 0.2.0
 * @category models
 */
export interface Listening {
  /** `http://host:port` the service answers on. */
  readonly url: string
}

/**
 * A running service.
 *
 * @since 0.1.0
 * @category models
 */
export interface RunningServer extends Listening {
  /** Stops accepting, lets requests under way finish (at most `grace`), releases everything. */
  readonly close: () => Promise<void>
}

/**
 * @since 0.1.0
 * @category models
 */
export interface StartOptions {
  /** Where the service's own lines go (start-up, the generated key, the sample command). Default: `Console.log`. */
  readonly print?: ((line: string) => void) | undefined
  /** The most time requests under way get to finish on close. Default 10 s. */
  readonly graceMillis?: number | undefined
}

/**
 * The service could not start: its address is in use, say, or the embedded
 * simulator could not start.
 *
 * @since 0.2.0
 * @category errors
 */
export class StartError extends Schema.TaggedError<StartError>()("StartError", {
  reason: Schema.String,
  cause: Schema.Defect
}) {
  override get message(): string {
    return this.reason
  }
}

const DEFAULT_GRACE_MILLIS = 10_000

const decodeGrace = Schema.decodeUnknown(Schema.Struct({
  graceMillis: Schema.NonNegative.pipe(Schema.finite())
}))

const messageOf = (cause: unknown) => cause instanceof Error ? cause.message : String(cause)

/** How often `/readyz` may ask Propexo: each check spends one request of the shared quota. */
const READINESS_CHECK = Duration.minutes(1)

/**
 * `/readyz`: whether the last catalog read (`GET /v1/event-types/?limit=1`,
 * made at most once a minute) succeeded, with the pacer's last known quota,
 * which costs nothing to read.
 */
const readiness = Effect.gen(function*() {
  const reachable = yield* Effect.cachedWithTTL(
    Effect.flatMap(PropexoClient.PropexoClient, (client) => client.api.eventTypes.list({ urlParams: { limit: 1 } })).pipe(
      Effect.timeout("5 seconds"),
      Effect.as(true),
      Effect.orElseSucceed(() => false)
    ),
    READINESS_CHECK
  )
  return Effect.all({ ready: reachable, quota: Effect.flatMap(PropexoClient.PropexoClient, (client) => client.quota) })
})

const logMemory = Effect.suspend(() => {
  const memory = process.memoryUsage()
  return Effect.logInfo("memory").pipe(
    Effect.annotateLogs({
      uptime_s: Math.round(process.uptime()),
      rss_mib: Math.round(memory.rss / 2 ** 20),
      heap_used_mib: Math.round(memory.heapUsed / 2 ** 20)
    })
  )
})

const sampleCommand = (url: string, key: string, demo: boolean) => {
  const body = demo
    ? {
      integration_id: Seed.DEMO.integrationId,
      applicant_id: Seed.DEMO.applicantId,
      application_id: Seed.DEMO.applicationId,
      event_type_id: Seed.DEMO.eventTypeIds.Notes,
      event_datetime: "2026-11-28 14:30",
      notes: "Called about a tour on Saturday"
    }
    : {
      integration_id: "<integration_id>",
      applicant_id: "<applicant_id>",
      application_id: "<application_id>",
      event_type_id: "<event_type_id>",
      event_datetime: "2026-11-28 14:30",
      notes: "Called about a tour on Saturday"
    }
  return `curl -sS -X POST '${url}/applicant-events?await=true' -H 'Authorization: Bearer ${key}' ` +
    `-H 'Content-Type: application/json' -d '${JSON.stringify(body)}'`
}

/** The embedded Propexo simulator, for the life of the scope, as the client's options. */
const simulator = (print: (line: string) => Effect.Effect<void>) =>
  Sandbox.make({ jobDelay: "500 millis" }).pipe(
    Effect.mapError((cause) =>
      new StartError({ reason: `the embedded Propexo simulator could not start: ${cause.message}`, cause })
    ),
    Effect.tap((sandbox) =>
      print(`No PROPEXO_TOKEN set: using the embedded Propexo simulator at ${sandbox.baseUrl} (inspect it under /_sandbox/)`)
    ),
    Effect.map((sandbox): PropexoConfig.PropexoConfigOptions => ({ token: sandbox.token, baseUrl: sandbox.baseUrl }))
  )

/**
 * The Propexo client and the services over it, for the life of the scope;
 * built at once, so that a client that cannot be built stops start-up.
 */
const clientRuntime = (propexo: PropexoConfig.PropexoConfigOptions) =>
  Effect.acquireRelease(
    Effect.sync(() =>
      ManagedRuntime.make(
        ApplicantEventsLive.layer().pipe(
          Layer.provide(PropexoConfig.layer(propexo)),
          Layer.provide(NodeHttpClient.layerUndici)
        )
      )
    ),
    (runtime) => runtime.disposeEffect
  ).pipe(Effect.tap((runtime) => runtime.runtimeEffect))

type ClientRuntime = Effect.Effect.Success<ReturnType<typeof clientRuntime>>

type Readiness = Effect.Effect.Success<typeof readiness>

/** The Express app: Slack's receiver, the checks, the route, and the JSON fallbacks last. */
const routes = (
  config: ServerConfig.ServerConfig,
  runtime: ClientRuntime,
  keys: ReadonlyArray<ServerConfig.ApiKey>,
  ready: Readiness
) => {
  const app = express()
  app.disable("x-powered-by")

  const slack = Option.map(config.slack, ({ signingSecret, teams }) =>
    ApplicantEventCommand.makeExpressApp({
      signingSecret,
      runtime,
      timeZone: config.timeZone,
      endpoint: "/slack/events",
      authorize: ({ team_id }) => teams.get(team_id) ?? teams.get("*") ?? null
    }))
  if (Option.isSome(slack)) app.use(slack.value.receiver.router)

  const onlyGet = Fallback.methodNotAllowed("GET, HEAD")
  app.route("/healthz").get((_req, res) => void res.json({ status: "ok" })).all(onlyGet)
  app.route("/readyz").get((_req, res, next) => {
    runtime.runPromise(ready).then(({ quota, ready }) =>
      res.status(ready ? 200 : 503).json({
        status: ready ? "ready" : "Propexo unreachable",
        quota: { limit: quota.limit, resets_at: DateTime.formatIso(quota.resetAt) }
      }), next)
  }).all(onlyGet)
  app.use(
    "/applicant-events",
    createApplicantEventsRouter({
      runtime,
      authorize: Callers.keyAuthorizer(keys),
      timeZone: config.timeZone,
      jobOwners: JobOwners.inMemory()
    })
  )
  app.use(Fallback.notFound, Fallback.handleError)
  return { app, slack: Option.map(slack, ({ command }) => command) }
}

/**
 * Lets the Slack follow-ups under way be posted, within what is left of the
 * grace period, so that a person who recorded an event always hears back;
 * past it, stops following write statuses (each command then says so) and
 * waits for those last messages.
 */
const slackFollowUps = (command: ApplicantEventCommand.RegisteredCommand, within: Duration.Duration) => {
  const idle = Effect.promise(() => command.whenIdle())
  // A finalizer runs uninterruptibly: the wait must be interruptible for the timeout to end it.
  return Effect.interruptible(idle).pipe(
    Effect.timeoutOption(within),
    Effect.flatMap(Option.match({
      onSome: () => Effect.void,
      onNone: () => Effect.zipRight(Effect.sync(() => command.stopFollowingWrites()), idle)
    }))
  )
}

/** The listener's release: the requests under way, then the Slack follow-ups, within the grace period. */
const stop = (
  server: Http.Server,
  slack: Option.Option<ApplicantEventCommand.RegisteredCommand>,
  grace: Duration.Duration,
  print: (line: string) => Effect.Effect<void>,
  exit: Exit.Exit<unknown, unknown>
) =>
  Effect.gen(function*() {
    if (Exit.isInterrupted(exit)) yield* print("Interrupted: finishing requests under way, then stopping")
    const stopping = yield* Clock.currentTimeMillis
    yield* Listener.close(server, grace)
    if (Option.isNone(slack)) return
    const spent = (yield* Clock.currentTimeMillis) - stopping
    yield* slackFollowUps(slack.value, Duration.millis(Math.max(0, Duration.toMillis(grace) - spent)))
  })

/**
 * Starts the service as configured, for the life of the scope; closing the
 * scope stops it gracefully (see the module's documentation). Fails with a
 * `ConfigError` naming the field for what {@link ServerConfig.make} refuses
 * (a real Propexo without `apiKeys`, say) or a negative `graceMillis`, and
 * with a {@link StartError} when it cannot listen.
 *
 * @since 0.2.0
 * @category constructors
 */
export const make: (
  config: ServerConfig.ServerConfig,
  options?: StartOptions
) => Effect.Effect<Listening, ConfigError.ConfigError | StartError, Scope.Scope> = Effect.fn("Server.make")(
  function*(options: ServerConfig.ServerConfig, startOptions: StartOptions = {}) {
    const config = yield* ServerConfig.make(options)
    const { graceMillis } = yield* Effect.mapError(
      decodeGrace({ graceMillis: startOptions.graceMillis ?? DEFAULT_GRACE_MILLIS }),
      ConfigErrors.fromParseError
    )
    const custom = startOptions.print
    const print = (line: string) => custom === undefined ? Console.log(line) : Effect.sync(() => custom(line))

    // Released in the reverse order: the listener, the Propexo client, then the simulator.
    const propexo = yield* Option.match(config.propexo, { onSome: Effect.succeed, onNone: () => simulator(print) })
    const runtime = yield* clientRuntime(propexo)
    const ready = yield* Effect.provide(readiness, runtime)
    const { generatedKey, keys } = Callers.keysOf(config.apiKeys)
    // The options the adapters check were checked by `ServerConfig.make`; a refusal here is theirs.
    const { app, slack } = yield* Effect.try({
      try: () => routes(config, runtime, keys, ready),
      catch: (cause) => new StartError({ reason: `the routes could not be made: ${messageOf(cause)}`, cause })
    })
    const { url } = yield* Effect.acquireRelease(
      // Node's message names the address: `listen EADDRINUSE: address already in use 127.0.0.1:3000`.
      Listener.listen(app, config, (cause) => new StartError({ reason: cause.message, cause })),
      ({ server }, exit) => stop(server, slack, Duration.millis(graceMillis), print, exit)
    )

    yield* print(`entrata-events listening on ${url}`)
    yield* print(
      Option.isSome(config.slack)
        ? `Slack command on at ${url}/slack/events`
        : "Slack is off: set SLACK_SIGNING_SECRET and SLACK_INTEGRATION_ID (or SLACK_TEAMS) to turn it on"
    )
    if (generatedKey !== undefined) {
      yield* print(`No SERVER_API_KEYS set: generated one API key for this run: ${generatedKey}`)
    }
    yield* print(
      `Record a sample event:\n${sampleCommand(url, generatedKey ?? "<your API key>", Option.isNone(config.propexo))}`
    )
    yield* logMemory.pipe(Effect.repeat(Schedule.spaced(config.memoryLogInterval)), Effect.forkScoped)
    return { url }
  }
)

/**
 * The service as a layer, for `Layer.launch`: it starts when the layer is
 * built and stops gracefully when the layer is released.
 *
 * @since 0.2.0
 * @category layers
 */
export const layer = (
  config: ServerConfig.ServerConfig,
  options?: StartOptions
): Layer.Layer<never, ConfigError.ConfigError | StartError> => Layer.scopedDiscard(make(config, options))

/**
 * {@link layer}, configured from the environment through the current
 * `ConfigProvider` ({@link ServerConfig.config}).
 *
 * @since 0.2.0
 * @category layers
 */
export const layerConfig = (options?: StartOptions): Layer.Layer<never, ConfigError.ConfigError | StartError> =>
  Layer.unwrapEffect(Effect.map(ServerConfig.config, (config) => layer(config, options)))

/**
 * Starts the service as configured, from code outside Effect: {@link make}
 * in a scope of its own, which `close` closes. Rejects with the
 * `ConfigError` or {@link StartError} that `make` fails with.
 *
 * @since 0.1.0
 * @category constructors
 */
export const start = async (config: ServerConfig.ServerConfig, options: StartOptions = {}): Promise<RunningServer> => {
  const scope = Effect.runSync(Scope.make())
  const exit = await Effect.runPromiseExit(Scope.extend(make(config, options), scope))
  if (Exit.isFailure(exit)) {
    await Effect.runPromise(Scope.close(scope, exit))
    throw Cause.squash(exit.cause)
  }
  let closing: Promise<void> | undefined
  return { url: exit.value.url, close: () => closing ??= Effect.runPromise(Scope.close(scope, Exit.void)) }
}
