import { NodeHttpClient } from "@effect/platform-node"
import type * as HttpClient from "@effect/platform/HttpClient"
import { afterEach, expect } from "@effect/vitest"
import { ApplicantEvents } from "@entrata-events/core/ApplicantEvents"
import { Sandbox, Seed } from "@entrata-events/sandbox"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import type * as Redacted from "effect/Redacted"
import * as LogLevel from "effect/LogLevel"
import type * as Scope from "effect/Scope"
import * as ApplicantEventsLive from "../src/ApplicantEventsLive.js"
import type { EventTypeCatalog } from "../src/EventTypeCatalog.js"
import type { PropexoClient } from "../src/PropexoClient.js"
import * as PropexoConfig from "../src/PropexoConfig.js"
import type { PropexoConfigOptions } from "../src/PropexoConfig.js"
import type { WriteStatus } from "../src/WriteStatus.js"
import { answerChecker } from "./contract.js"

export const { DEMO } = Seed

/** A valid call event for the demo applicant. */
export const callEvent = {
  integration_id: DEMO.integrationId,
  applicant_id: DEMO.applicantId,
  application_id: DEMO.applicationId,
  event_type_id: DEMO.eventTypeIds["Call-Outgoing"],
  event_datetime: "2026-11-28T21:30:00Z",
  call_phone_number_from: "(403) 555-1234",
  call_phone_number_to: "+13035550100",
  call_status: "ANSWER",
  call_duration: 312,
  call_audio_link: "https://calls.example.com/r/1"
} as const

export const notesEvent = {
  integration_id: DEMO.integrationId,
  applicant_id: DEMO.applicantId,
  application_id: DEMO.applicationId,
  event_type_id: DEMO.eventTypeIds.Notes,
  event_datetime: "2026-07-04T18:00:00Z",
  notes: "Asked about parking."
} as const

/** Every log line written while the tests run, to scan for the token. */
export const logLines: Array<string> = []

const capture = Logger.replace(
  Logger.defaultLogger,
  Logger.make(({ message }) => {
    logLines.push(Array.isArray(message) ? message.map(String).join(" ") : String(message))
  })
)

export type Services = ApplicantEvents | EventTypeCatalog | WriteStatus | PropexoClient

/** The client's services against a sandbox, logging everything at debug level into `logLines`. */
export const clientLayer = (
  sandbox: { readonly baseUrl: string; readonly token: Redacted.Redacted<string> },
  options: Partial<PropexoConfigOptions> = {},
  http: Layer.Layer<HttpClient.HttpClient> = NodeHttpClient.layerUndici
): Layer.Layer<Services> =>
  ApplicantEventsLive.layer().pipe(
    // A test's own options: one out of its rule is a bug in the test.
    Layer.provide(Layer.orDie(PropexoConfig.layer({ token: sandbox.token, baseUrl: sandbox.baseUrl, ...options }))),
    Layer.provide(http),
    Layer.provide(Layer.merge(capture, Logger.minimumLogLevel(LogLevel.Debug)))
  )

/**
 * Every answer of the simulators started through {@link makeSandbox} (and
 * so {@link withClient}), held against Propexo's published OpenAPI
 * description: any test whose answers break it fails.
 */
export const contract = answerChecker()

afterEach(() => {
  expect(contract.take(), "answers that break Propexo's published contract").toEqual([])
})

/** `Sandbox.make`, every answer checked against the contract. */
export const makeSandbox = (options: Sandbox.SandboxOptions = {}) =>
  Sandbox.make({
    ...options,
    onAnswer: (answer) => {
      contract.onAnswer(answer)
      options.onAnswer?.(answer)
    }
  })

/** Runs `f` with a fresh sandbox and the client's services pointed at it. */
export const withClient = <A, E>(
  sandboxOptions: Sandbox.SandboxOptions,
  f: (sandbox: Sandbox.SandboxService) => Effect.Effect<A, E, Services | Scope.Scope>,
  options: Partial<PropexoConfigOptions> = {}
): Effect.Effect<A, E | Sandbox.InvalidOptions | unknown, Scope.Scope> =>
  Effect.gen(function*() {
    const sandbox = yield* makeSandbox({ jobDelay: 0, slowDownDelay: 0, ...sandboxOptions })
    return yield* f(sandbox).pipe(
      Effect.provide(clientLayer(sandbox, options)),
      Effect.provide(Layer.merge(capture, Logger.minimumLogLevel(LogLevel.Debug)))
    )
  })

export const creates = (requests: ReadonlyArray<Sandbox.RequestRecord>) =>
  requests.filter((r) => r.method === "POST" && r.path === "/v1/events/applicants/entrata/")

export { ApplicantEvents }
