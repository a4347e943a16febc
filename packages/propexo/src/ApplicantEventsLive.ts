/**
 * The core's `ApplicantEvents` service over Propexo's HTTP API.
 *
 * A create validates the input locally (every problem at once), looks up
 * the kind of its event type in the cached catalog and checks the fields
 * that kind needs, so Propexo never queues a write the PMS would refuse;
 * only then does it send, once, unless the failure proves Propexo never got
 * it.
 *
 * With `maxQuotaWait`, the create waits for the quota (for its catalog read
 * and for itself) no longer than that, or fails with `PropexoRateLimited`
 * having sent nothing. Interrupting a create cancels it until it is sent;
 * once sent, it goes on to Propexo's answer, and if the caller was
 * interrupted meanwhile, one info log line (under the caller's log
 * annotations) gives the job id, so the event can be traced.
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as ApplicantEvent from "@entrata-events/core/ApplicantEvent"
import { ApplicantEvents, CreatedApplicantEvent } from "@entrata-events/core/ApplicantEvents"
import * as Effect from "effect/Effect"
import * as HashSet from "effect/HashSet"
import * as Layer from "effect/Layer"
import { EventTypeCatalog, type EventTypeCatalogOptions } from "./EventTypeCatalog.js"
import * as RateLimiter from "./internal/rateLimiter.js"
import { PropexoClient } from "./PropexoClient.js"
import type { PropexoConfig } from "./PropexoConfig.js"
import { WriteStatus } from "./WriteStatus.js"

/**
 * @since 0.1.0
 * @category constructors
 */
export const make = Effect.gen(function*() {
  const client = yield* PropexoClient
  const catalog = yield* EventTypeCatalog
  const writes = yield* WriteStatus

  const kindOf = (event: ApplicantEvent.ApplicantEvent) =>
    catalog.kindOf(event.event_type_id).pipe(
      Effect.catchTag("PropexoNotFound", () =>
        Effect.fail(
          new ApplicantEvent.InvalidApplicantEvent({
            issues: [{ path: "event_type_id", message: `is not an event type Propexo knows: ${event.event_type_id}` }]
          })
        ))
    )

  // Runs inside the write's uninterruptible region: a caller interrupted
  // while the create was on the wire still leaves a trace of it.
  const traceIfAbandoned = (job_id: string, event: ApplicantEvent.ApplicantEvent) =>
    Effect.descriptorWith((fiber) =>
      HashSet.size(fiber.interruptors) === 0
        ? Effect.void
        : Effect.logInfo(`The caller went away after the event was sent; Propexo queued it as job ${job_id}`).pipe(
          Effect.annotateLogs({ jobId: job_id, integration: event.integration_id })
        )
    )

  // Validated, checked against the catalog, then sent: what the quota bound covers.
  const record = (input: ApplicantEvent.ApplicantEventInput) =>
    Effect.gen(function*() {
      const event = yield* ApplicantEvent.decode(input)
      const kind = yield* kindOf(event)
      yield* ApplicantEvent.requireFieldsFor(kind)(event)
      const answer = yield* client.write("createApplicantEvent", (api) =>
        Effect.tap(api.applicantEvents.create({ payload: event }), (answer) => traceIfAbandoned(answer.meta.job_id, event)))
      return { event, kind, job_id: answer.meta.job_id }
    })

  return ApplicantEvents.of({
    create: (input, options) =>
      Effect.gen(function*() {
        const { event, job_id, kind } = yield* RateLimiter.withMaxWait(options?.maxQuotaWait)(record(input))
        yield* Effect.annotateCurrentSpan({ "propexo.job_id": job_id, "entrata.event_kind": kind })
        // `event` was validated above and `job_id` decoded by the API schema: no need to check them again.
        if (options?.awaitCompletion !== true) return new CreatedApplicantEvent({ job_id, sent: event }, true)
        const done = yield* writes.awaitCompletion(job_id)
        return new CreatedApplicantEvent({ job_id, sent: event, write_status: done.write_status }, true)
      }).pipe(Effect.withSpan("ApplicantEvents.create", { captureStackTrace: false }))
  })
})

/**
 * `ApplicantEvents` with the services it stands on (`PropexoClient`,
 * `EventTypeCatalog`, `WriteStatus`), from a `PropexoConfig` and an
 * `HttpClient` (`NodeHttpClient.layerUndici` in production).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: { readonly catalog?: EventTypeCatalogOptions } = {}
): Layer.Layer<
  ApplicantEvents | EventTypeCatalog | WriteStatus | PropexoClient,
  never,
  PropexoConfig | HttpClient.HttpClient
> => {
  const services = Layer.mergeAll(EventTypeCatalog.layer(options.catalog), WriteStatus.layer).pipe(
    Layer.provideMerge(PropexoClient.layer)
  )
  return Layer.effect(ApplicantEvents, make).pipe(Layer.provideMerge(services))
}
