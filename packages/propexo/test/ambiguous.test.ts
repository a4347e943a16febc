import { describe, expect, it } from "@effect/vitest"
import type { ApplicantEventInput } from "@entrata-events/core/ApplicantEvent"
import type { CreateOptions } from "@entrata-events/core/ApplicantEvents"
import { Sandbox } from "@entrata-events/sandbox"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import type { PropexoConfigOptions } from "../src/PropexoConfig.js"
import { ApplicantEvents, clientLayer, creates, notesEvent } from "./helpers.js"
import { scriptedProxy, type Scripted } from "./scriptedProxy.js"

const TOKEN = "ambiguous-test-token"

interface World {
  readonly sandbox: Sandbox.SandboxService
  readonly proxy: Effect.Effect.Success<ReturnType<typeof scriptedProxy>>
}

/** One way a create can fail, and what its error must say. */
interface Way {
  readonly name: string
  /** Create once first, so the catalog is cached and only the create meets the fault. */
  readonly warm: boolean
  readonly setUp: (world: World) => Effect.Effect<unknown, unknown>
  readonly tag: string
  readonly ambiguous: boolean
  /** Creates the simulator must have received after the warm-up. */
  readonly received: number
  readonly client?: Partial<PropexoConfigOptions>
  readonly sandbox?: Sandbox.SandboxOptions
  readonly input?: ApplicantEventInput
  readonly options?: CreateOptions
}

const onCreate = (answer: Scripted) => ({ proxy }: World) =>
  proxy.setScript(({ method }) => method === "POST" ? answer : undefined)

const propexoError = (status: number) => ({
  status,
  body: JSON.stringify({ error: { code: `scripted_${status}`, message: `scripted ${status}` } })
})

const ways: ReadonlyArray<Way> = [
  // Never sent: not ambiguous.
  {
    name: "the catalog read before the send failed",
    warm: false,
    setUp: ({ sandbox }) => sandbox.setFaults({ serverErrorShare: 1, serverErrorStatuses: [503] }),
    tag: "PropexoUnavailable",
    ambiguous: false,
    received: 0
  },
  {
    name: "the catalog read before the send timed out",
    warm: false,
    setUp: ({ sandbox }) => sandbox.setFaults({ latencyMs: 2_000 }),
    tag: "PropexoTimeout",
    ambiguous: false,
    received: 0,
    client: { timeout: "200 millis" }
  },
  {
    name: "the connection was refused",
    warm: true,
    // The client's idle connection to it goes too; a moment lets the client see it closed, not send on it.
    setUp: ({ proxy }) => Effect.zipRight(proxy.close, Effect.sleep("100 millis")),
    tag: "PropexoUnavailable",
    ambiguous: false,
    received: 0
  },
  {
    name: "the pacer had no slot within maxQuotaWait",
    warm: true,
    setUp: () => Effect.void,
    tag: "PropexoRateLimited",
    ambiguous: false,
    received: 0,
    client: { rateLimit: { limit: 2, window: Duration.days(1) } },
    sandbox: { rateLimit: 2 },
    options: { maxQuotaWait: "1 second" }
  },
  // Answered with a refusal: not ambiguous.
  {
    name: "Propexo refused it (400)",
    warm: true,
    setUp: onCreate(propexoError(400)),
    tag: "PropexoBadRequest",
    ambiguous: false,
    received: 0
  },
  {
    name: "Propexo refused the token (401)",
    warm: true,
    setUp: onCreate(propexoError(401)),
    tag: "PropexoUnauthorized",
    ambiguous: false,
    received: 0
  },
  {
    name: "Propexo refused the integration (403)",
    warm: true,
    setUp: onCreate(propexoError(403)),
    tag: "PropexoUnauthorized",
    ambiguous: false,
    received: 0
  },
  {
    name: "Propexo has no such integration (404)",
    warm: true,
    setUp: () => Effect.void,
    tag: "PropexoNotFound",
    ambiguous: false,
    received: 1,
    input: { ...notesEvent, integration_id: "cmnosuchintegration000000" }
  },
  {
    name: "Propexo's quota was spent (429, retries used up)",
    warm: true,
    setUp: onCreate(propexoError(429)),
    tag: "PropexoRateLimited",
    ambiguous: false,
    received: 0,
    client: { rateLimit: { maxRateLimitedRetries: 0 } }
  },
  {
    name: "an undeclared 4xx",
    warm: true,
    setUp: onCreate(propexoError(418)),
    tag: "PropexoUnexpectedResponse",
    ambiguous: false,
    received: 0
  },
  // Sent, and its fate unknown: ambiguous.
  ...([500, 502, 503] as const).map((status): Way => ({
    name: `a ${status}`,
    warm: true,
    setUp: ({ sandbox }) => sandbox.setFaults({ serverErrorShare: 1, serverErrorStatuses: [status] }),
    tag: "PropexoUnavailable",
    ambiguous: true,
    received: 1
  })),
  {
    name: "a 504 from a gateway",
    warm: true,
    setUp: onCreate(propexoError(504)),
    tag: "PropexoUnavailable",
    ambiguous: true,
    received: 0
  },
  {
    name: "an undeclared 5xx",
    warm: true,
    setUp: onCreate(propexoError(501)),
    tag: "PropexoUnexpectedResponse",
    ambiguous: true,
    received: 0
  },
  {
    name: "no answer within the timeout",
    warm: true,
    setUp: ({ sandbox }) => sandbox.setFaults({ latencyMs: 2_000 }),
    tag: "PropexoTimeout",
    ambiguous: true,
    received: 0,
    client: { timeout: "200 millis" }
  },
  {
    name: "the connection was lost after sending, before Propexo read the body",
    warm: true,
    setUp: ({ sandbox }) => sandbox.setFaults({ dropBeforeBodyShare: 1 }),
    tag: "PropexoUnavailable",
    ambiguous: true,
    received: 1
  },
  {
    name: "the connection was lost after Propexo processed it",
    warm: true,
    setUp: ({ sandbox }) => sandbox.setFaults({ dropAfterProcessingShare: 1 }),
    tag: "PropexoUnavailable",
    ambiguous: true,
    received: 1
  },
  {
    name: "an answer this client cannot read",
    warm: true,
    setUp: ({ sandbox }) => sandbox.setFaults({ malformedShare: 1 }),
    tag: "PropexoUnexpectedResponse",
    ambiguous: true,
    received: 1
  }
]

describe("ambiguous says whether a failed create may have been recorded", () => {
  for (const way of ways) {
    it.scopedLive(`${way.name}: ${way.tag}, ambiguous ${way.ambiguous}`, () =>
      Effect.gen(function*() {
        const sandbox = yield* Sandbox.make({
          jobDelay: 0,
          slowDownDelay: 0,
          window: "1 day",
          tokens: [TOKEN],
          ...way.sandbox
        })
        const proxy = yield* scriptedProxy(sandbox.baseUrl)
        const error = yield* Effect.gen(function*() {
          const events = yield* ApplicantEvents
          if (way.warm) yield* events.create(notesEvent)
          yield* sandbox.reset
          yield* way.setUp({ sandbox, proxy })
          return yield* Effect.flip(events.create(way.input ?? notesEvent, way.options))
        }).pipe(
          Effect.provide(clientLayer({ baseUrl: proxy.baseUrl, token: Redacted.make(TOKEN) }, {
            readRetry: Schedule.recurs(0),
            connectRetry: Schedule.recurs(0),
            ...way.client
          }))
        )
        expect({ tag: error._tag, ambiguous: error.ambiguous }).toEqual({ tag: way.tag, ambiguous: way.ambiguous })
        expect(creates(yield* sandbox.requests)).toHaveLength(way.received)
      }))
  }

  it.scopedLive("an undeclared status is reported as such", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox.make({ jobDelay: 0, tokens: [TOKEN] })
      const proxy = yield* scriptedProxy(sandbox.baseUrl)
      yield* proxy.setScript(() => propexoError(501))
      const error = yield* Effect.flip(Effect.flatMap(ApplicantEvents, (events) => events.create(notesEvent))).pipe(
        Effect.provide(clientLayer({ baseUrl: proxy.baseUrl, token: Redacted.make(TOKEN) }, { readRetry: Schedule.recurs(0) }))
      )
      expect(error.message).toBe(
        "Propexo answered 501 with a body this client does not understand: undocumented status 501"
      )
    }))
})
