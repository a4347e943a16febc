import { NodeHttpClient } from "@effect/platform-node"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as ApplicantEventsLive from "@entrata-events/propexo/ApplicantEventsLive"
import * as PropexoConfig from "@entrata-events/propexo/PropexoConfig"
import type { PropexoConfigOptions } from "@entrata-events/propexo/PropexoConfig"
import { Sandbox, Seed } from "@entrata-events/sandbox"
import * as Duration from "effect/Duration"
import * as HashMap from "effect/HashMap"
import * as Layer from "effect/Layer"
import * as List from "effect/List"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Redacted from "effect/Redacted"
import express from "express"
import type { AddressInfo } from "node:net"
import * as ApplicantEventsRouter from "../src/ApplicantEventsRouter.js"

export const { DEMO, OTHER } = Seed

export const notesEvent = {
  integration_id: DEMO.integrationId,
  applicant_id: DEMO.applicantId,
  application_id: DEMO.applicationId,
  event_type_id: DEMO.eventTypeIds.Notes,
  event_datetime: "2026-07-04T12:00:00",
  notes: "Asked about parking."
} as const

/** A log line the router's runtime wrote, with its annotations. */
export interface LogLine {
  readonly level: string
  readonly message: string
  readonly annotations: Readonly<Record<string, unknown>>
  /** The labels of its log spans. */
  readonly spans: ReadonlyArray<string>
}

/** Every log line of every harness, to scan for the token. */
export const logLines: Array<LogLine> = []

/** Every answer body any test received, to scan for leaks at the end. */
export const answerBodies: Array<string> = []

/** Every token any harness used. */
export const tokens: Array<string> = []

const capture = Logger.replace(
  Logger.defaultLogger,
  Logger.make(({ annotations, logLevel, message, spans }) => {
    logLines.push({
      level: logLevel.label,
      message: Array.isArray(message) ? message.map(String).join(" ") : String(message),
      annotations: Object.fromEntries(HashMap.toEntries(annotations)),
      spans: List.toArray(spans).map((span) => span.label)
    })
  })
)

/** Who may do what, by bearer token: the contract `authorize` tests use. */
export const CALLERS = {
  all: "caller-all",
  other: "caller-other-integration",
  banned: "caller-banned"
} as const

export interface HarnessOptions {
  readonly sandbox?: Sandbox.SandboxOptions
  readonly client?: Partial<PropexoConfigOptions>
  readonly http?: Layer.Layer<HttpClient.HttpClient>
  /** Replaces the router's options (the services are always the harness's). */
  readonly router?: Partial<ApplicantEventsRouter.BaseOptions> & {
    readonly authorize?: ApplicantEventsRouter.Authorize
    readonly allowAnonymous?: true
  }
  /** Installs the host's own middleware in front of the router. */
  readonly host?: (app: express.Express) => void
}

export interface Harness {
  readonly sandbox: Sandbox.SandboxHandle
  /** `http://127.0.0.1:PORT` of the host app. */
  readonly origin: string
  /** The router's mount point, absolute. */
  readonly url: string
  readonly router: ApplicantEventsRouter.ApplicantEventsRouter
  /** `fetch` against the mount point with a caller's token; records the answer body. */
  readonly call: (path: string, init?: CallInit) => Promise<Answer>
  readonly creates: () => Promise<ReadonlyArray<Sandbox.RequestRecord>>
  readonly close: () => Promise<void>
}

export interface CallInit {
  readonly method?: string
  /** An object is sent as JSON; a string or bytes as they are. */
  readonly body?: unknown
  readonly contentType?: string | null
  /** A key of {@link CALLERS}, or null for no Authorization header. Default `all`. */
  readonly caller?: keyof typeof CALLERS | null
  readonly headers?: Record<string, string>
  readonly signal?: AbortSignal
}

export interface Answer {
  readonly status: number
  readonly headers: Headers
  readonly text: string
  readonly json: any
}

/** The `authorize` of the tests: bearer tokens from {@link CALLERS}. */
export const authorize: ApplicantEventsRouter.Authorize = (req) => {
  const header = req.get("authorization")
  if (header === undefined) return new ApplicantEventsRouter.Unauthorized({ reason: "Send a bearer token." })
  switch (header) {
    case `Bearer ${CALLERS.all}`:
      return { integrations: "*", caller: "all" }
    case `Bearer ${CALLERS.other}`:
      return Promise.resolve({ integrations: [OTHER.integrationId], caller: "other" })
    case `Bearer ${CALLERS.banned}`:
      throw new ApplicantEventsRouter.Forbidden({ reason: "This caller is suspended." })
    default:
      throw new ApplicantEventsRouter.Unauthorized({
        reason: "Unknown bearer token.",
        challenge: "Bearer realm=\"test\""
      })
  }
}

const parse = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** The services of the real client against a sandbox, logging everything at debug level. */
export const servicesLayer = (
  sandbox: { readonly baseUrl: string; readonly token: string },
  options: Partial<PropexoConfigOptions> = {},
  http: Layer.Layer<HttpClient.HttpClient> = NodeHttpClient.layerUndici
) =>
  ApplicantEventsLive.layer().pipe(
    Layer.provide(PropexoConfig.layer({ token: Redacted.make(sandbox.token), baseUrl: sandbox.baseUrl, ...options })),
    Layer.provide(http),
    Layer.provideMerge(Layer.merge(capture, Logger.minimumLogLevel(LogLevel.Debug)))
  )

/** Listens on 127.0.0.1, on a free port. */
export const listen = (app: express.Express) =>
  new Promise<{ readonly origin: string; readonly close: () => Promise<void> }>((resolve, reject) => {
    const server = app.listen(0, "127.0.0.1", (error?: Error) => {
      if (error !== undefined) return reject(error)
      const { port } = server.address() as AddressInfo // listening on a TCP port: the address is an AddressInfo.
      resolve({
        origin: `http://127.0.0.1:${port}`,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections()
            server.close(() => done())
          })
      })
    })
  })

/** Sends a request as a caller would, and records the answer. */
export const request = async (url: string, init: CallInit = {}): Promise<Answer> => {
  const headers: Record<string, string> = { ...init.headers }
  const caller = init.caller === undefined ? "all" : init.caller
  if (caller !== null) headers.authorization = `Bearer ${CALLERS[caller]}`
  let body: string | Uint8Array | undefined
  if (init.body !== undefined) {
    body = typeof init.body === "string" || init.body instanceof Uint8Array ? init.body : JSON.stringify(init.body)
  }
  const contentType = init.contentType !== undefined
    ? init.contentType
    : body === undefined
    ? null
    : "application/json"
  if (contentType !== null) headers["content-type"] = contentType
  const response = await fetch(url, {
    method: init.method ?? (body === undefined ? "GET" : "POST"),
    headers,
    ...(body === undefined ? {} : { body }),
    ...(init.signal === undefined ? {} : { signal: init.signal })
  })
  const text = await response.text()
  answerBodies.push(text)
  return { status: response.status, headers: response.headers, text, json: parse(text) }
}

/** A simulator, the real client on it, and the router mounted at `/applicant-events` of a real Express app. */
export const start = async (options: HarnessOptions = {}): Promise<Harness> => {
  const sandbox = await Sandbox.startSandbox({ jobDelay: 0, slowDownDelay: 0, ...options.sandbox })
  tokens.push(sandbox.token)
  const { allowAnonymous, authorize: given, ...rest } = options.router ?? {}
  const base: ApplicantEventsRouter.BaseOptions & ApplicantEventsRouter.ServicesOptions = {
    layer: servicesLayer(sandbox, options.client, options.http),
    awaitInterval: Duration.millis(20),
    ...rest
  }
  const router = ApplicantEventsRouter.createApplicantEventsRouter(
    allowAnonymous === true ? { ...base, allowAnonymous } : { ...base, authorize: given ?? authorize }
  )
  const app = express()
  options.host?.(app)
  app.use("/applicant-events", router)
  const server = await listen(app)
  const url = `${server.origin}/applicant-events`
  return {
    sandbox,
    origin: server.origin,
    url,
    router,
    call: (path, init) => request(`${url}${path}`, init),
    creates: async () =>
      (await sandbox.requests()).filter((r) => r.method === "POST" && r.path === "/v1/events/applicants/entrata/"),
    close: async () => {
      await server.close()
      await router.dispose()
      await sandbox.close()
    }
  }
}
