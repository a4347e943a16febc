import * as Headers from "@effect/platform/Headers"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { NodeHttpClient } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Sandbox, Seed } from "@entrata-events/sandbox"
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as net from "node:net"
import * as util from "node:util"
import { PropexoClient, type PropexoApiClient, type RawError } from "../src/PropexoClient.js"
import type { PropexoConfigOptions } from "../src/PropexoConfig.js"
import { ApplicantEvents, clientLayer, DEMO, notesEvent } from "./helpers.js"
import { scriptedProxy, type Script } from "./scriptedProxy.js"

const { OTHER } = Seed

// Recognisable secrets: if any rendering of any error holds one, the scan finds it.
const TOKEN = "tok_SECRET_7c1e2b90_never_shown"
const WRONG = "tok_WRONG_55aa31c0_never_shown"
const LIMITED = "tok_LIMITED_99ff02d4_never_shown"
const SECRETS = [TOKEN, WRONG, LIMITED, "7c1e2b90", "55aa31c0", "99ff02d4"]

/** Every string reachable from `root` through own properties, Maps, Sets and byte buffers. */
const reachableText = (root: unknown): Array<string> => {
  const seen = new Set<unknown>()
  const texts: Array<string> = []
  const stack: Array<unknown> = [root]
  while (stack.length > 0) {
    const value = stack.pop()
    if (typeof value === "string") texts.push(value)
    else if (value instanceof ArrayBuffer) texts.push(Buffer.from(value).toString("latin1"))
    else if (ArrayBuffer.isView(value)) {
      texts.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("latin1"))
    } else if (typeof value === "object" && value !== null && !seen.has(value)) {
      seen.add(value)
      if (value instanceof Map) for (const [k, v] of value) stack.push(k, v)
      if (value instanceof Set) for (const v of value) stack.push(v)
      for (const key of Reflect.ownKeys(value)) {
        const descriptor = Object.getOwnPropertyDescriptor(value, key)
        if (descriptor !== undefined && "value" in descriptor) stack.push(descriptor.value)
      }
    }
  }
  return texts
}

/** Log lines of every format Effect ships, written in a fiber that redacts no header at all. */
const logged = (error: unknown) => {
  const lines: Array<string> = []
  const keep = (logger: Logger.Logger<unknown, string>) => Logger.map(logger, (line) => lines.push(line))
  return Effect.gen(function*() {
    yield* Effect.logError("the call failed", error)
    yield* Effect.logError(Cause.fail(error))
    yield* Effect.logError("the call failed", Cause.fail(error), Cause.die(error))
  }).pipe(
    Effect.locally(Headers.currentRedactedNames, []),
    Effect.provide(Logger.replace(Logger.defaultLogger, keep(Logger.logfmtLogger))),
    Effect.provide(Logger.add(keep(Logger.jsonLogger))),
    Effect.provide(Logger.add(Logger.map(Logger.structuredLogger, (line) => lines.push(util.inspect(line, { depth: null }))))),
    Effect.as(lines)
  )
}

/** Every rendering of `error` the issue names, and then some. */
const renderings = (error: unknown) =>
  Effect.map(logged(error), (lines) => {
    const withToJSON = error as { readonly toJSON?: () => unknown } // errors of both kinds have toJSON; the scan reads it if so
    return [
      String(error),
      error instanceof Error ? error.message : "",
      error instanceof Error ? error.stack ?? "" : "",
      JSON.stringify(error),
      typeof withToJSON.toJSON === "function" ? JSON.stringify(withToJSON.toJSON()) : "",
      typeof withToJSON.toJSON === "function" ? util.inspect(withToJSON.toJSON(), { depth: null }) : "",
      util.inspect(error),
      util.inspect(error, { depth: null, showHidden: true, getters: true }),
      Cause.pretty(Cause.fail(error)),
      Cause.pretty(Cause.fail(error), { renderErrorCause: true }),
      Cause.pretty(Cause.die(error), { renderErrorCause: true }),
      ...lines,
      ...reachableText(error)
    ]
  })

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = net.createServer()
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      server.close(() => typeof address === "object" && address !== null ? resolve(address.port) : reject(new Error("no port")))
    })
  })

/** One way to make a call fail, and the error classes it must give. */
interface Case {
  readonly name: string
  readonly raw: string
  readonly classified: string
  readonly call: (api: PropexoApiClient) => Effect.Effect<unknown, RawError>
  /** Sets up the simulator and the proxy before the call. */
  readonly setUp?: (
    sandbox: Sandbox.SandboxService,
    script: (s: Script) => Effect.Effect<void>
  ) => Effect.Effect<unknown, unknown>
  readonly token?: string
  readonly client?: Partial<PropexoConfigOptions>
}

const propexoError = (status: number, code: string) => (): ReturnType<Script> => ({
  status,
  body: JSON.stringify({ error: { code, message: `scripted ${status}` } })
})

const getNotes = (api: PropexoApiClient) => api.eventTypes.get({ path: { event_type_id: DEMO.eventTypeIds.Notes } })
const createNotes = (api: PropexoApiClient) =>
  api.applicantEvents.create({
    payload: {
      integration_id: DEMO.integrationId,
      applicant_id: DEMO.applicantId,
      application_id: DEMO.applicationId,
      event_type_id: DEMO.eventTypeIds.Notes,
      event_datetime: "2026-07-04T12:00:00-06:00",
      notes: "scan"
    }
  })

const cases: ReadonlyArray<Case> = [
  {
    name: "Propexo's 400",
    raw: "PropexoApiBadRequest",
    classified: "PropexoBadRequest",
    call: (api) => api.eventTypes.list({ urlParams: { "order-by": "no_such_field:asc" } })
  },
  { name: "a wrong token", raw: "PropexoApiUnauthorized", classified: "PropexoUnauthorized", call: getNotes, token: WRONG },
  {
    name: "a token not allowed the integration",
    raw: "PropexoApiForbidden",
    classified: "PropexoUnauthorized",
    call: (api) => api.eventTypes.list({ urlParams: { integration_id: DEMO.integrationId } }),
    token: LIMITED
  },
  {
    name: "an unknown id",
    raw: "PropexoApiNotFound",
    classified: "PropexoNotFound",
    call: (api) => api.eventTypes.get({ path: { event_type_id: "cmnosuchtype00000000000000" } })
  },
  ...([[500, "PropexoApiInternalServerError"], [502, "PropexoApiBadGateway"], [503, "PropexoApiServiceUnavailable"]] as const)
    .map(([status, raw]): Case => ({
      name: `a ${status} from the simulator`,
      raw,
      classified: "PropexoUnavailable",
      call: createNotes,
      setUp: (sandbox) => sandbox.setFaults({ serverErrorShare: 1, serverErrorStatuses: [status] })
    })),
  {
    name: "a 504 from a gateway",
    raw: "PropexoApiGatewayTimeout",
    classified: "PropexoUnavailable",
    call: createNotes,
    setUp: (_, script) => script(propexoError(504, "gateway_timeout"))
  },
  {
    name: "a 400 in HttpApi's own shape",
    raw: "HttpApiDecodeError",
    classified: "PropexoBadRequest",
    call: getNotes,
    setUp: (_, script) =>
      script(() => ({
        status: 400,
        body: JSON.stringify({ _tag: "HttpApiDecodeError", issues: [], message: "scripted decode error" })
      }))
  },
  {
    name: "an undeclared 4xx",
    raw: "ResponseError",
    classified: "PropexoUnexpectedResponse",
    call: getNotes,
    setUp: (_, script) => script(propexoError(418, "teapot"))
  },
  {
    name: "an undeclared 5xx",
    raw: "ResponseError",
    classified: "PropexoUnexpectedResponse",
    call: createNotes,
    setUp: (_, script) => script(propexoError(501, "not_implemented"))
  },
  {
    name: "a truncated answer",
    raw: "ParseError",
    classified: "PropexoUnexpectedResponse",
    call: createNotes,
    setUp: (sandbox) => sandbox.setFaults({ malformedShare: 1 })
  },
  {
    name: "an answer of the wrong shape",
    raw: "ParseError",
    classified: "PropexoUnexpectedResponse",
    call: getNotes,
    setUp: (_, script) => script(() => ({ status: 200, body: JSON.stringify({ results: { id: 1 } }) }))
  },
  {
    name: "a body that is not JSON",
    raw: "ParseError",
    classified: "PropexoUnexpectedResponse",
    call: getNotes,
    setUp: (_, script) => script(() => ({ status: 200, body: "<html>oops</html>", contentType: "text/html" }))
  },
  {
    name: "a connection dropped before the body",
    raw: "RequestError",
    classified: "PropexoUnavailable",
    call: createNotes,
    setUp: (sandbox) => sandbox.setFaults({ dropBeforeBodyShare: 1 })
  },
  {
    name: "a connection dropped after processing",
    raw: "RequestError",
    classified: "PropexoUnavailable",
    call: createNotes,
    setUp: (sandbox) => sandbox.setFaults({ dropAfterProcessingShare: 1 })
  },
  {
    name: "no answer within the timeout",
    raw: "RequestTimedOut",
    classified: "PropexoTimeout",
    call: createNotes,
    setUp: (sandbox) => sandbox.setFaults({ latencyMs: 2_000 }),
    client: { timeout: "200 millis" }
  }
]

describe("no error of the client carries the token", () => {
  it.scopedLive("in any rendering: every raw error class of PropexoClient.api, and every classified one", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox.make({
        jobDelay: 0,
        slowDownDelay: 0,
        tokens: [TOKEN, { token: LIMITED, name: "limited", integrations: [OTHER.integrationId] }]
      })
      const proxy = yield* scriptedProxy(sandbox.baseUrl)
      const seen: Array<{ readonly name: string; readonly raw: string; readonly classified: string }> = []
      const errors: Array<unknown> = []

      const provoke = (
        name: string,
        baseUrl: string,
        token: string,
        options: Partial<PropexoConfigOptions>,
        call: (api: PropexoApiClient) => Effect.Effect<unknown, RawError>
      ) =>
        Effect.gen(function*() {
          const client = yield* PropexoClient
          const raw = yield* Effect.flip(call(client.api))
          const classified = yield* Effect.flip(client.read(name, "scanned thing", call))
          errors.push(raw, classified)
          seen.push({ name, raw: raw._tag, classified: classified._tag })
        }).pipe(
          Effect.provide(clientLayer({ baseUrl, token: Redacted.make(token) }, {
            readRetry: Schedule.recurs(0),
            connectRetry: Schedule.recurs(0),
            ...options
          }))
        )

      for (const c of cases) {
        yield* sandbox.clearFaults
        yield* proxy.setScript(() => undefined)
        if (c.setUp !== undefined) yield* c.setUp(sandbox, proxy.setScript)
        yield* provoke(c.name, proxy.baseUrl, c.token ?? TOKEN, c.client ?? {}, c.call)
      }
      yield* sandbox.clearFaults
      yield* proxy.setScript(() => undefined)

      const refused = `http://127.0.0.1:${yield* Effect.promise(freePort)}`
      yield* provoke("a refused connection", refused, TOKEN, {}, getNotes)

      // Propexo's own 429, once the retries allowed are used up: another user of the token spent the quota.
      const limited = yield* Sandbox.make({ jobDelay: 0, rateLimit: 1, window: "1 day", tokens: [TOKEN] })
      yield* Effect.promise(() => fetch(`${limited.baseUrl}/v1/event-types/`, { headers: { authorization: `Bearer ${TOKEN}` } }))
      yield* provoke(
        "Propexo's 429",
        limited.baseUrl,
        TOKEN,
        { rateLimit: { maxRateLimitedRetries: 0, window: Duration.millis(300) } },
        getNotes
      )

      // The pacer's own refusal to wait, through the service.
      const paced = yield* Sandbox.make({ jobDelay: 0, rateLimit: 2, window: "1 day", tokens: [TOKEN] })
      const quotaWait = yield* Effect.gen(function*() {
        yield* Effect.flatMap(ApplicantEvents, (events) => events.create(notesEvent))
        return yield* Effect.flip(
          Effect.flatMap(ApplicantEvents, (events) => events.create(notesEvent, { maxQuotaWait: "1 second" }))
        )
      }).pipe(
        Effect.provide(clientLayer({ baseUrl: paced.baseUrl, token: Redacted.make(TOKEN) }, {
          rateLimit: { limit: 2, window: Duration.days(1) }
        }))
      )
      errors.push(quotaWait)

      expect(seen).toEqual([
        ...cases.map((c) => ({ name: c.name, raw: c.raw, classified: c.classified })),
        { name: "a refused connection", raw: "RequestError", classified: "PropexoUnavailable" },
        { name: "Propexo's 429", raw: "PropexoApiRateLimited", classified: "PropexoRateLimited" }
      ])
      expect(quotaWait._tag).toBe("PropexoRateLimited")

      // The scan sees what it looks for: an error about a request that holds the token shows it.
      const leaky = new HttpClientError.RequestError({
        request: HttpClientRequest.bearerToken(HttpClientRequest.get(`${sandbox.baseUrl}/v1/event-types/`), TOKEN),
        reason: "Transport"
      })
      expect((yield* renderings(leaky)).filter((text) => text.includes(TOKEN)).length).toBeGreaterThan(3)

      for (const error of errors) {
        const texts = yield* renderings(error)
        for (const text of texts) {
          for (const secret of SECRETS) {
            if (text.includes(secret)) {
              expect.fail(`${String(error)} shows ${secret} in: ${text.slice(Math.max(0, text.indexOf(secret) - 200), text.indexOf(secret) + 60)}`)
            }
          }
        }
      }
    }), { timeout: 60_000 })

  it.scopedLive("an HttpClient under the client that logs its requests never logs the token, even where the caller redacts nothing", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox.make({ jobDelay: 0, tokens: [TOKEN] })
      const lines: Array<string> = []
      const logging = Layer.effect(
        HttpClient.HttpClient,
        Effect.map(HttpClient.HttpClient, HttpClient.tapRequest((request) => Effect.logInfo("sending", request)))
      ).pipe(Layer.provide(NodeHttpClient.layerUndici))
      yield* Effect.flatMap(ApplicantEvents, (events) => events.create(notesEvent)).pipe(
        Effect.locally(Headers.currentRedactedNames, []),
        Effect.provide(clientLayer({ baseUrl: sandbox.baseUrl, token: Redacted.make(TOKEN) }, {}, logging)),
        Effect.provide(Logger.replace(Logger.defaultLogger, Logger.map(Logger.logfmtLogger, (line) => lines.push(line)))),
        Effect.provide(Logger.minimumLogLevel(LogLevel.Debug))
      )
      const sending = lines.filter((l) => l.includes("sending"))
      expect(sending).toHaveLength(2)
      for (const line of sending) {
        expect(line).toContain("authorization")
        expect(line).not.toContain(TOKEN)
      }
    }))
})
