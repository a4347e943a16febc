/**
 * The service: the Express route at `/applicant-events`, the Slack command
 * at `/slack/events`, health and readiness checks, over one Propexo client
 * (the embedded simulator when the configuration selects it). Every answer
 * of its own, unknown paths and malformed requests included, is JSON.
 *
 * @since 0.1.0
 */
import { NodeHttpClient } from "@effect/platform-node"
import { ApplicantEventsLive, PropexoClient, PropexoConfig } from "@entrata-events/propexo"
import {
  ApplicantEventsRouter,
  createApplicantEventsRouter,
  Fallback,
  JobOwners,
  Unauthorized
} from "@entrata-events/express"
import { Sandbox, Seed } from "@entrata-events/sandbox"
import { ApplicantEventCommand } from "@entrata-events/slack"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import express from "express"
import * as Crypto from "node:crypto"
import * as Http from "node:http"
import type { AddressInfo } from "node:net"
import type { ApiKey, HttpLimits, ServerConfig } from "./ServerConfig.js"

/**
 * A running service.
 *
 * @since 0.1.0
 * @category models
 */
export interface RunningServer {
  /** `http://host:port` the service answers on. */
  readonly url: string
  /** Stops accepting, lets requests under way finish (at most `grace`), releases everything. */
  readonly close: () => Promise<void>
}

/**
 * @since 0.1.0
 * @category models
 */
export interface StartOptions {
  /** Where the service's own lines go (start-up, the generated key, the sample command). */
  readonly print?: ((line: string) => void) | undefined
  /** The most time requests under way get to finish on close. Default 10 s. */
  readonly graceMillis?: number | undefined
}

const digest = (text: string) => Crypto.createHash("sha256").update(text).digest()

/** Bearer API keys, compared in constant time. */
const keyAuthorizer = (keys: ReadonlyArray<ApiKey>): ApplicantEventsRouter.Authorize => {
  const known = keys.map((k, index) => ({
    digest: digest(Redacted.value(k.key)),
    integrations: k.integrations,
    caller: `key-${index + 1}`
  }))
  return (req) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(req.get("authorization") ?? "")
    if (match === null) return new Unauthorized({ reason: "send your API key as Authorization: Bearer <key>" })
    const given = digest(match[1]!)
    const found = known.find((k) => Crypto.timingSafeEqual(k.digest, given))
    return found === undefined
      ? new Unauthorized({ reason: "unknown API key" })
      : { integrations: found.integrations, caller: found.caller }
  }
}

/** How often `/readyz` may ask Propexo: each check spends one request of the shared quota. */
const READINESS_CHECK_MILLIS = 60_000

/**
 * `/readyz`: whether the last catalog read (`GET /v1/event-types/?limit=1`,
 * made at most once a minute) succeeded, with the pacer's last known quota,
 * which costs nothing to read.
 */
const readiness = (runtime: ManagedRuntime.ManagedRuntime<PropexoClient.PropexoClient, never>) => {
  let checkedAt = Number.NEGATIVE_INFINITY
  let reachable: Promise<boolean> = Promise.resolve(false)
  return async (): Promise<{ readonly ready: boolean; readonly quota: PropexoClient.Quota }> => {
    const now = Date.now()
    if (now - checkedAt >= READINESS_CHECK_MILLIS) {
      checkedAt = now
      reachable = runtime.runPromise(
        Effect.flatMap(PropexoClient.PropexoClient, (client) =>
          client.api.eventTypes.list({ urlParams: { limit: 1 } })).pipe(
            Effect.timeout("5 seconds"),
            Effect.as(true),
            Effect.orElseSucceed(() => false)
          )
      )
    }
    const quota = runtime.runPromise(Effect.flatMap(PropexoClient.PropexoClient, (client) => client.quota))
    const [ready, known] = await Promise.all([reachable, quota])
    return { ready, quota: known }
  }
}

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

/**
 * Lets the Slack follow-ups under way be posted, within what is left of the
 * grace period, so that a person who recorded an event always hears back;
 * past it, stops following write statuses (each command then says so) and
 * waits for those last messages.
 */
const slackFollowUps = async (command: ApplicantEventCommand.RegisteredCommand, millis: number) => {
  let timer: NodeJS.Timeout | undefined
  const idle = await Promise.race([
    command.whenIdle().then(() => true),
    new Promise<false>((resolve) => timer = setTimeout(resolve, Math.max(0, millis), false))
  ])
  clearTimeout(timer)
  if (idle) return
  command.stopFollowingWrites()
  await command.whenIdle()
}

/**
 * Starts the service as configured.
 *
 * @since 0.1.0
 * @category constructors
 */
export const start = async (config: ServerConfig, options: StartOptions = {}): Promise<RunningServer> => {
  const print = options.print ?? ((line: string) => console.log(line))
  const graceMillis = options.graceMillis ?? 10_000
  if (Option.isSome(config.propexo) && Option.isNone(config.apiKeys)) {
    throw new TypeError("Server.start: a real Propexo needs apiKeys; a key is generated only for the embedded simulator")
  }

  const { propexo, sandbox } = await Option.match(config.propexo, {
    onSome: (propexo) => Promise.resolve({ propexo, sandbox: undefined }),
    onNone: async () => {
      const sandbox = await Sandbox.startSandbox({ jobDelay: "500 millis" })
      print(
        `No PROPEXO_TOKEN set: using the embedded Propexo simulator at ${sandbox.baseUrl} (inspect it under /_sandbox/)`
      )
      const propexo: PropexoConfig.PropexoConfigOptions = { token: Redacted.make(sandbox.token), baseUrl: sandbox.baseUrl }
      return { propexo, sandbox }
    }
  })

  const runtime = ManagedRuntime.make(
    ApplicantEventsLive.layer().pipe(
      Layer.provide(PropexoConfig.PropexoConfig.layer(propexo)),
      Layer.provide(NodeHttpClient.layerUndici)
    )
  )

  const { generatedKey, keys } = Option.match(config.apiKeys, {
    onSome: (keys): { keys: ReadonlyArray<ApiKey>; generatedKey?: string } => ({ keys }),
    onNone: () => {
      const generatedKey = `ee_${Crypto.randomBytes(24).toString("base64url")}`
      return { keys: [{ key: Redacted.make(generatedKey), integrations: "*" as const }], generatedKey }
    }
  })

  const app = express()
  app.disable("x-powered-by")

  let slackCommand: ApplicantEventCommand.RegisteredCommand | undefined
  if (Option.isSome(config.slack)) {
    const teams = config.slack.value.teams
    const { receiver, command } = ApplicantEventCommand.makeExpressApp({
      signingSecret: config.slack.value.signingSecret,
      runtime,
      timeZone: config.timeZone,
      endpoint: "/slack/events",
      authorize: ({ team_id }) => teams.get(team_id) ?? teams.get("*") ?? null
    })
    app.use(receiver.router)
    slackCommand = command
  }

  const ready = readiness(runtime)
  const onlyGet = Fallback.methodNotAllowed("GET, HEAD")
  app.route("/healthz").get((_req, res) => void res.json({ status: "ok" })).all(onlyGet)
  app.route("/readyz").get((_req, res, next) => {
    ready().then(({ quota, ready }) =>
      res.status(ready ? 200 : 503).json({
        status: ready ? "ready" : "Propexo unreachable",
        quota: { limit: quota.limit, resets_at: DateTime.formatIso(quota.resetAt) }
      }), next)
  }).all(onlyGet)
  app.use(
    "/applicant-events",
    createApplicantEventsRouter({
      runtime,
      authorize: keyAuthorizer(keys),
      timeZone: config.timeZone,
      jobOwners: JobOwners.inMemory()
    })
  )
  app.use(Fallback.notFound, Fallback.handleError)

  const server = nodeServer(app, config.http)
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    server.listen(config.port, config.host, () => {
      server.off("error", reject)
      resolve()
    })
  })
  const { port } = server.address() as AddressInfo // a TCP listener's address is always an AddressInfo
  const url = `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${port}`

  print(`entrata-events listening on ${url}`)
  print(
    Option.isSome(config.slack)
      ? `Slack command on at ${url}/slack/events`
      : "Slack is off: set SLACK_SIGNING_SECRET and SLACK_INTEGRATION_ID (or SLACK_TEAMS) to turn it on"
  )
  if (generatedKey !== undefined) {
    print(`No SERVER_API_KEYS set: generated one API key for this run: ${generatedKey}`)
  }
  print(`Record a sample event:\n${sampleCommand(url, generatedKey ?? "<your API key>", sandbox !== undefined)}`)
  runtime.runFork(logMemory)
  const memoryLog = setInterval(() => runtime.runFork(logMemory), Duration.toMillis(config.memoryLogInterval)).unref()

  let closing: Promise<void> | undefined
  const close = () =>
    closing ??= (async () => {
      clearInterval(memoryLog)
      const deadline = Date.now() + graceMillis
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => server.closeAllConnections(), graceMillis)
        server.close(() => {
          clearTimeout(force)
          resolve()
        })
        server.closeIdleConnections()
      })
      if (slackCommand !== undefined) await slackFollowUps(slackCommand, deadline - Date.now())
      await runtime.dispose()
      await sandbox?.close()
    })()

  return { url, close }
}
