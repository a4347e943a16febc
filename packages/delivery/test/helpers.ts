import { NodeHttpClient } from "@effect/platform-node"
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as SqlClient from "@effect/sql/SqlClient"
import type { ApplicantEvents } from "@entrata-events/core/ApplicantEvents"
import { ApplicantEventsLive, PropexoConfig } from "@entrata-events/propexo"
import type { EventTypeCatalog } from "@entrata-events/propexo/EventTypeCatalog"
import type { PropexoClient } from "@entrata-events/propexo/PropexoClient"
import type { WriteStatus } from "@entrata-events/propexo/WriteStatus"
import { type Sandbox, Seed } from "@entrata-events/sandbox"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import type * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as Deliverer from "../src/Deliverer.js"
import * as Deliveries from "../src/Deliveries.js"
import type { Delivery, DeliveryStatus } from "../src/Delivery.js"
import type { DeliveryLedger } from "../src/DeliveryLedger.js"
import * as DeliveryStore from "../src/DeliveryStore.js"

export const { DEMO, OTHER } = Seed

/** A Notes event for the demo applicant: Entrata accepts it. */
export const notesEvent = {
  integration_id: DEMO.integrationId,
  applicant_id: DEMO.applicantId,
  application_id: DEMO.applicationId,
  event_type_id: DEMO.eventTypeIds.Notes,
  event_datetime: "2026-07-04T18:00:00Z",
  notes: "Asked about parking."
} as const

/** A call event with every field its kind needs. */
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

/** The demo applicant (Jane). */
export const JANE = { applicant_id: DEMO.applicantId, application_id: DEMO.applicationId } as const

/** The second applicant of the demo integration (Carlos Rivera, same property). */
export const CARLOS = { applicant_id: "cm1ekb27wlhbbsbiu7je8mh1d", application_id: "cmgmny7sw0h7wf4e077ktxnjp" } as const

/** The notes event of `applicant`, numbered so each body differs. */
export const noteFor = (applicant: { readonly applicant_id: string; readonly application_id: string }, n: number) => ({
  ...notesEvent,
  ...applicant,
  notes: `Note ${n}`
})

export const CREATE_PATH = "/v1/events/applicants/entrata/"

export const creates = (requests: ReadonlyArray<Sandbox.RequestRecord>) =>
  requests.filter((r) => r.method === "POST" && r.path === CREATE_PATH)

/** The notes of every create the simulator received, in order. */
export const sentNotes = (requests: ReadonlyArray<Sandbox.RequestRecord>) =>
  // The bodies the client sent: JSON of applicant events.
  creates(requests).map((r) => (JSON.parse(r.body ?? "{}") as { readonly notes?: string }).notes)

/** A temporary folder for the life of the scope, and a ledger file in it. */
export const tempFile: Effect.Effect<string, never, Scope.Scope> = Effect.map(
  Effect.acquireRelease(
    Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), "delivery-test-"))),
    (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
  ),
  (dir) => path.join(dir, "ledger", DeliveryStore.DEFAULT_FILENAME)
)

/** Every log line written while the tests run, to scan for the token. */
export const logLines: Array<string> = []

const quietLogger = Logger.replace(
  Logger.defaultLogger,
  Logger.make(({ message }) => {
    logLines.push(Array.isArray(message) ? message.map(String).join(" ") : String(message))
  })
)

export const logging = Layer.merge(quietLogger, Logger.minimumLogLevel(LogLevel.Debug))

export type ClientServices = ApplicantEvents | EventTypeCatalog | WriteStatus | PropexoClient

/** The client's services against `sandbox`, without retries unless asked, so outages show at once. */
export const clientLayer = (
  sandbox: { readonly baseUrl: string; readonly token: Redacted.Redacted<string> },
  options: Partial<PropexoConfig.PropexoConfigOptions> = {},
  http: Layer.Layer<HttpClient.HttpClient> = NodeHttpClient.layerUndici
): Layer.Layer<ClientServices> =>
  ApplicantEventsLive.layer().pipe(
    Layer.provide(
      // A test's own options: one out of its rule is a bug in the test.
      Layer.orDie(PropexoConfig.layer({
        token: sandbox.token,
        baseUrl: sandbox.baseUrl,
        readRetry: Schedule.stop,
        connectRetry: Schedule.stop,
        ...options
      }))
    ),
    Layer.provide(http)
  )

export type Services = Deliveries.Deliveries | DeliveryLedger | SqlClient.SqlClient | ClientServices

export interface EnvOptions {
  /** `false`: no deliverer. */
  readonly deliverer?: Deliverer.DelivererOptions | false | undefined
  readonly deliveries?: Deliveries.DeliveriesOptions | undefined
}

/** The store on `file`, `Deliveries`, the client and (unless told not to) the deliverer. */
export const envLayer = (
  file: string,
  client: Layer.Layer<ClientServices>,
  options: EnvOptions = {}
): Layer.Layer<Services, unknown> => {
  const deliveries = Deliveries.layer(options.deliveries).pipe(
    Layer.provideMerge(DeliveryStore.layer({ filename: file })),
    Layer.provideMerge(client)
  )
  return options.deliverer === false
    ? deliveries
    : Layer.provideMerge(Deliverer.layer({ confirmAfter: "50 millis", ...options.deliverer }), deliveries)
}

/** A running environment that the test stops itself (to restart it on the same file). */
export interface Running {
  readonly context: Context.Context<Services>
  readonly run: <A, E>(effect: Effect.Effect<A, E, Services>) => Effect.Effect<A, E>
  readonly stop: Effect.Effect<void>
}

export const start = (layer: Layer.Layer<Services, unknown>): Effect.Effect<Running, unknown> =>
  Effect.gen(function*() {
    const scope = yield* Scope.make()
    const context = yield* Layer.buildWithScope(layer, scope)
    return {
      context,
      run: (effect) => Effect.provide(effect, context),
      stop: Scope.close(scope, Exit.void)
    }
  })

/**
 * Follows a delivery until `predicate` holds, and answers it then. A
 * delivery that ends otherwise fails the test; so does one that takes more
 * than 20 seconds (a bound against hanging, not a measurement).
 */
export const awaitDelivery = (id: string, predicate: (delivery: Delivery) => boolean) =>
  Effect.flatMap(Deliveries.Deliveries, (deliveries) =>
    deliveries.watch(id).pipe(
      Stream.filter(predicate),
      Stream.runHead,
      Effect.flatten,
      Effect.timeout("20 seconds"),
      Effect.catchTag("NoSuchElementException", "TimeoutException", () =>
        Effect.flatMap(deliveries.get(id), (delivery) =>
          Effect.fail(
            new Error(`delivery ${id} never got there; its history: ${
              delivery.history.map((t) => `${t.from} -> ${t.to} (${t.reason})`).join("; ")
            }`)
          )))
    ))

export const awaitStatus = (id: string, status: DeliveryStatus) => awaitDelivery(id, (d) => d.status === status)

/** Follows a delivery until Propexo has queued it (`sent`, or any status after). */
export const awaitSent = (id: string) => awaitDelivery(id, (d) => d.sent_at !== null)

/**
 * Runs `effect` until its answer satisfies `predicate` (every 20 ms, at most
 * 20 seconds: a bound against hanging, not a measurement).
 */
export const eventually = <A, E, R>(effect: Effect.Effect<A, E, R>, predicate: (a: A) => boolean) =>
  effect.pipe(
    Effect.repeat({ schedule: Schedule.spaced("20 millis"), until: predicate }),
    Effect.timeoutFail({ duration: "20 seconds", onTimeout: () => new Error("the condition never held") })
  )

/** The statuses of a delivery's history, in order. */
export const statusesOf = (delivery: Delivery): Array<string> => delivery.history.map((t) => t.to)

export const enqueue = (input: Parameters<Deliveries.DeliveriesShape["enqueue"]>[0], options?: Deliveries.EnqueueOptions) =>
  Effect.flatMap(Deliveries.Deliveries, (deliveries) => deliveries.enqueue(input, options))

export const get = (id: string) => Effect.flatMap(Deliveries.Deliveries, (deliveries) => deliveries.get(id))
