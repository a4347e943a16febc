/**
 * The service that records applicant events in Entrata. The core defines
 * it; `@entrata-events/propexo` implements it over Propexo's HTTP API.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { ApplicantEvent, type ApplicantEventInput, type InvalidApplicantEvent } from "./ApplicantEvent.js"

/**
 * What a successful create returns: Propexo's write `job_id`, the exact body
 * that was sent and, when the create awaited the write, how it ended.
 *
 * @since 0.1.0
 * @category models
 */
export class CreatedApplicantEvent extends Schema.Class<CreatedApplicantEvent>("CreatedApplicantEvent")({
  job_id: Schema.String,
  sent: ApplicantEvent,
  write_status: Schema.optionalWith(Schema.Literal("SUCCESS", "PARTIAL_SUCCESS"), { exact: true })
}) {}

/**
 * @since 0.1.0
 * @category models
 */
export interface CreateOptions {
  /**
   * Wait until Entrata has applied the event (or refused it, which then
   * fails the create). Default false: the create ends once the write is
   * queued.
   */
  readonly awaitCompletion?: boolean | undefined
  /**
   * The longest the create may wait for the quota before it is sent. When
   * the next free slot is further away, it fails at once with the
   * implementation's rate-limit error and nothing is sent. Default: no bound.
   */
  readonly maxQuotaWait?: Duration.DurationInput | undefined
}

/**
 * The errors a create can fail with. Implementations add theirs by
 * augmenting this interface (one entry per error class), so the error
 * channel stays precise without the core knowing about HTTP:
 *
 * ```ts
 * declare module "@entrata-events/core/ApplicantEvents" {
 *   interface ApplicantEventsErrors { PropexoTimeout: PropexoTimeout }
 * }
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export interface ApplicantEventsErrors {
  readonly InvalidApplicantEvent: InvalidApplicantEvent
}

/**
 * @since 0.1.0
 * @category errors
 */
export type ApplicantEventsError = ApplicantEventsErrors[keyof ApplicantEventsErrors]

/**
 * Records applicant events.
 *
 * @since 0.1.0
 * @category tags
 */
export class ApplicantEvents extends Context.Tag("@entrata-events/core/ApplicantEvents")<
  ApplicantEvents,
  {
    /**
     * Validates the input (every problem at once, as `InvalidApplicantEvent`,
     * before anything is sent) and records it.
     */
    readonly create: (
      input: ApplicantEventInput,
      options?: CreateOptions
    ) => Effect.Effect<CreatedApplicantEvent, ApplicantEventsError>
  }
>() {}
