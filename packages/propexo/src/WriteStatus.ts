/**
 * Where a queued write stands: Propexo answers a create once the write is
 * queued; whether Entrata accepted it shows in the write status.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schedule from "effect/Schedule"
import type * as PropexoApi from "./PropexoApi.js"
import { PropexoClient } from "./PropexoClient.js"
import { type PropexoError, WriteFailed, WriteStillPending } from "./PropexoError.js"

/**
 * A write that ended well.
 *
 * @since 0.1.0
 * @category models
 */
export interface CompletedWrite extends PropexoApi.WriteStatus {
  readonly write_status: "SUCCESS" | "PARTIAL_SUCCESS"
}

/**
 * @since 0.1.0
 * @category models
 */
export interface AwaitOptions {
  /** Time between polls. Default 2 s. */
  readonly interval?: Duration.DurationInput | undefined
  /** Give up after this long. Default 2 minutes. */
  readonly timeout?: Duration.DurationInput | undefined
  /** Replaces the polling schedule built from `interval` and `timeout`. */
  readonly schedule?: Schedule.Schedule<unknown, PropexoApi.WriteStatus> | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface WriteStatusShape {
  readonly get: (job_id: string) => Effect.Effect<PropexoApi.WriteStatus, PropexoError>
  /** Asks Propexo to run a failed write again. */
  readonly retry: (job_id: string) => Effect.Effect<PropexoApi.RetryWrite, PropexoError>
  /**
   * Polls until the write ends: succeeds on `SUCCESS` or `PARTIAL_SUCCESS`,
   * fails with `WriteFailed` (the PMS's messages) on `FAILURE`, and with
   * `WriteStillPending` when the schedule runs out.
   */
  readonly awaitCompletion: (
    job_id: string,
    options?: AwaitOptions
  ) => Effect.Effect<CompletedWrite, PropexoError | WriteFailed | WriteStillPending>
}

const isCompleted = (status: PropexoApi.WriteStatus): status is CompletedWrite =>
  status.write_status === "SUCCESS" || status.write_status === "PARTIAL_SUCCESS"

/**
 * Write status of Propexo's queued writes.
 *
 * @since 0.1.0
 * @category tags
 */
export class WriteStatus extends Context.Tag("@entrata-events/propexo/WriteStatus")<WriteStatus, WriteStatusShape>() {
  /**
   * @since 0.1.0
   */
  static readonly make: Effect.Effect<WriteStatusShape, never, PropexoClient> = Effect.map(
    PropexoClient,
    (client): WriteStatusShape => {
      const get = (job_id: string) =>
        client.read(
          "getWriteStatus",
          `write job ${job_id}`,
          (api) =>
            api.admin.writeStatus({ path: { root_job_id: job_id } }).pipe(
              Effect.tap((status) =>
                Effect.annotateCurrentSpan({ "propexo.job_id": job_id, "propexo.write_status": status.write_status })
              )
            )
        )

      return {
        get,
        retry: (job_id) =>
          client.write("retryWrite", (api) => api.admin.retryWrite({ path: { root_job_id: job_id } })),
        awaitCompletion: (job_id, options = {}) =>
          Effect.gen(function*() {
            const started = yield* Effect.clockWith((clock) => clock.currentTimeMillis)
            const schedule = options.schedule ??
              Schedule.spaced(options.interval ?? "2 seconds").pipe(
                Schedule.upTo(options.timeout ?? "2 minutes")
              )
            const driver = yield* Schedule.driver(schedule)
            while (true) {
              const status = yield* get(job_id)
              if (isCompleted(status)) return status
              if (status.write_status === "FAILURE") return yield* new WriteFailed({ job_id, errors: status.errors })
              // `next` sleeps as the schedule says, and fails once it is done.
              const more = yield* Effect.either(driver.next(status))
              if (more._tag === "Left") {
                const now = yield* Effect.clockWith((clock) => clock.currentTimeMillis)
                return yield* new WriteStillPending({ job_id, waitedMillis: now - started })
              }
            }
          }).pipe(
            Effect.withSpan("Propexo.awaitCompletion", {
              attributes: { "propexo.job_id": job_id },
              captureStackTrace: false
            })
          )
      }
    }
  )

  /**
   * @since 0.1.0
   */
  static readonly layer: Layer.Layer<WriteStatus, never, PropexoClient> = Layer.effect(WriteStatus, WriteStatus.make)
}
