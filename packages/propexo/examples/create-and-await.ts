/**
 * Records a call on an applicant in Entrata through Propexo, waits until
 * Entrata has applied it, and says what happened, handling every error.
 *
 * With `PROPEXO_TOKEN` (and `PROPEXO_BASE_URL`) set it talks to that
 * Propexo; without, it starts the local simulator in this process and talks
 * to it. `INTEGRATION_ID`, `APPLICANT_ID`, `APPLICATION_ID` and
 * `EVENT_TYPE_ID` pick the records (default: the simulator's demo applicant).
 */
import { NodeHttpClient } from "@effect/platform-node"
import { ApplicantEvents } from "@entrata-events/core/ApplicantEvents"
import { Sandbox, Seed } from "@entrata-events/sandbox"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { ApplicantEventsLive, PropexoConfig } from "../src/index.js"

const program = Effect.gen(function*() {
  const events = yield* ApplicantEvents
  const created = yield* events.create({
    integration_id: process.env.INTEGRATION_ID ?? Seed.DEMO.integrationId,
    applicant_id: process.env.APPLICANT_ID ?? Seed.DEMO.applicantId,
    application_id: process.env.APPLICATION_ID ?? Seed.DEMO.applicationId,
    event_type_id: process.env.EVENT_TYPE_ID ?? Seed.DEMO.eventTypeIds["Call-Outgoing"],
    event_datetime: new Date(),
    call_phone_number_from: "(403) 555-1234",
    call_phone_number_to: "+1 303 555 0100",
    call_status: "ANSWER",
    call_duration: 312,
    call_audio_link: "https://calls.example.com/recordings/8812",
    notes: "Asked about two-bedroom availability in January."
  }, { awaitCompletion: true })
  yield* Console.log(`Recorded the call: job ${created.job_id}, write status ${created.write_status}`)
  yield* Console.log(`Sent to Propexo:\n${JSON.stringify(created.sent, null, 2)}`)
}).pipe(
  Effect.catchTags({
    InvalidApplicantEvent: (e) => Console.error(`Not sent; fix the input. ${e.message}`),
    PropexoBadRequest: (e) => Console.error(e.message),
    PropexoUnauthorized: (e) => Console.error(`Check PROPEXO_TOKEN. ${e.message}`),
    PropexoNotFound: (e) => Console.error(e.message),
    PropexoRateLimited: (e) => Console.error(`${e.message}; try again then.`),
    PropexoUnavailable: (e) => Console.error(e.ambiguous ? `${e.message}. Check Entrata before sending again.` : e.message),
    PropexoTimeout: (e) => Console.error(e.ambiguous ? `${e.message}. Check Entrata before sending again.` : e.message),
    PropexoUnexpectedResponse: (e) => Console.error(e.message),
    WriteFailed: (e) => Console.error(e.message),
    WriteStillPending: (e) => Console.error(e.message)
  })
)

/** Propexo from the environment, or the simulator started here when no token is set. */
const config = Layer.unwrapScoped(
  Effect.gen(function*() {
    if (process.env.PROPEXO_TOKEN !== undefined) return PropexoConfig.layerConfig()
    const sandbox = yield* Sandbox.make({ jobDelay: "300 millis" })
    yield* Console.log(`No PROPEXO_TOKEN set: using the Propexo simulator started at ${sandbox.baseUrl}`)
    return PropexoConfig.layer({ token: sandbox.token, baseUrl: sandbox.baseUrl })
  })
)

const main = program.pipe(
  Effect.provide(ApplicantEventsLive.layer().pipe(Layer.provide(config), Layer.provide(NodeHttpClient.layerUndici)))
)

Effect.runPromise(main).catch((error) => {
  console.error(String(error))
  process.exitCode = 1
})
