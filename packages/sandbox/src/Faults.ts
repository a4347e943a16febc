/**
 * Faults the simulator can inject, switchable while it runs: 5xx answers,
 * added latency, connections dropped before the body was read or after
 * the request was processed, and truncated JSON answers.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

const Share = Schema.Number.pipe(Schema.between(0, 1))

/**
 * Faults to inject into answers to authenticated Propexo requests. Each
 * share is the probability (0 to 1) that one request gets that fault; 1
 * means every request.
 *
 * @since 0.1.0
 * @category models
 */
export const FaultSettings = Schema.Struct({
  /** Share of requests answered with a 5xx, without being processed. */
  serverErrorShare: Schema.optionalWith(Share, { exact: true }),
  /** Which 5xx statuses to pick from (evenly); default all three. */
  serverErrorStatuses: Schema.optionalWith(Schema.NonEmptyArray(Schema.Literal(500, 502, 503)), { exact: true }),
  /** Milliseconds added before every answer. */
  latencyMs: Schema.optionalWith(Schema.NonNegativeInt, { exact: true }),
  /** Share of connections destroyed before the request body is read: nothing happens. */
  dropBeforeBodyShare: Schema.optionalWith(Share, { exact: true }),
  /** Share of connections destroyed after the request was processed: a job may exist, no answer comes. */
  dropAfterProcessingShare: Schema.optionalWith(Share, { exact: true }),
  /** Share of answers sent as status 200 with a truncated JSON body (after processing). */
  malformedShare: Schema.optionalWith(Share, { exact: true })
}).annotations({ identifier: "FaultSettings" })

/**
 * @since 0.1.0
 * @category models
 */
export interface FaultSettings extends Schema.Schema.Type<typeof FaultSettings> {}

/**
 * The faults in force: the global ones, and per token name those that
 * replace them for that token.
 *
 * @since 0.1.0
 * @category models
 */
export interface FaultState {
  readonly global: FaultSettings
  readonly tokens: Readonly<Record<string, FaultSettings>>
}
