/**
 * Where a queued write stands: Propexo answers a create once the write is
 * queued; whether Entrata accepted it shows in the write status, and in
 * the write logs, which tell many writes' outcomes in one request. A failed
 * write can be retried: the retry runs as a new job.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
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
 * Propexo answered a retry with `success: false`: no new job was queued.
 *
 * @since 0.2.0
 * @category errors
 */
export class WriteNotRetried extends Schema.TaggedError<WriteNotRetried>()("WriteNotRetried", {
  job_id: Schema.String
}) {
  override get message(): string {
    return `Propexo did not queue a retry of the write (job ${this.job_id})`
  }

  /** Nothing was queued. */
  get ambiguous(): false {
    return false
  }
}

/**
 * @since 0.1.0
 * @category models
 */
export interface WriteStatusShape {
  /** The write status of exactly that job. */
  readonly get: (job_id: string) => Effect.Effect<PropexoApi.WriteStatus, PropexoError>
  /**
   * Asks Propexo to run a failed write again, and gives the id of the new
   * job that does. Retrying a job this service already retried retries its
   * latest attempt instead, so a retry under way is never doubled: Propexo
   * refuses (400) a job that has not failed. Fails with `WriteNotRetried`
   * when Propexo queued nothing.
   */
  readonly retry: (job_id: string) => Effect.Effect<string, PropexoError | WriteNotRetried>
  /**
   * Polls until the write ends: succeeds on `SUCCESS` or `PARTIAL_SUCCESS`,
   * fails with `WriteFailed` (the PMS's messages) on `FAILURE`, and with
   * `WriteStillPending` when the schedule runs out. After a retry through
   * this service it follows the retry's job (both errors name the job
   * followed).
   */
  readonly awaitCompletion: (
    job_id: string,
    options?: AwaitOptions
  ) => Effect.Effect<CompletedWrite, PropexoError | WriteFailed | WriteStillPending>
  /**
   * The write logs (`GET /v1/admin/logs/writes/`): the most recent record of
   * each job that ended, newest first, at most `limit` (default and most
   * 100). One request confirms many writes.
   */
  readonly logs: (params?: PropexoApi.WriteLogParams) => Effect.Effect<ReadonlyArray<PropexoApi.WriteLog>, PropexoError>
}

const isCompleted = (status: PropexoApi.WriteStatus): status is CompletedWrite =>
  status.write_status === "SUCCESS" || status.write_status === "PARTIAL_SUCCESS"

/** Retries remembered, to follow a job to its latest attempt; the oldest are forgotten past this. */
const MAX_RETRIES_KEPT = 10_000

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

      // Each retried job's id, to the id of the job that retried it (insertion order is age).
      const retriedBy = new Map<string, string>()
      const latest = (job_id: string): string => {
        let id = job_id
        // Bounded, so that ids Propexo repeated could never loop.
        for (let step = 0; step < retriedBy.size; step++) {
          const next = retriedBy.get(id)
          if (next === undefined) break
          id = next
        }
        return id
      }

      return {
        get,
        retry: (job_id) =>
          Effect.gen(function*() {
            const root_job_id = latest(job_id)
            const answer = yield* client.write("retryWrite", (api) => api.admin.retryWrite({ path: { root_job_id } }))
            if (!answer.success) return yield* new WriteNotRetried({ job_id: root_job_id })
            retriedBy.set(root_job_id, answer.job_id)
            const oldest = retriedBy.keys().next()
            if (retriedBy.size > MAX_RETRIES_KEPT && oldest.done !== true) retriedBy.delete(oldest.value)
            yield* Effect.annotateCurrentSpan({ "propexo.job_id": answer.job_id, "propexo.retry_of": root_job_id })
            return answer.job_id
          }),
        awaitCompletion: (job_id, options = {}) =>
          Effect.gen(function*() {
            const started = yield* Effect.clockWith((clock) => clock.currentTimeMillis)
            const schedule = options.schedule ??
              Schedule.spaced(options.interval ?? "2 seconds").pipe(
                Schedule.upTo(options.timeout ?? "2 minutes")
              )
            const driver = yield* Schedule.driver(schedule)
            while (true) {
              // Looked up on every poll: a retry may start while this waits.
              const followed = latest(job_id)
              const status = yield* get(followed)
              if (isCompleted(status)) return status
              if (status.write_status === "FAILURE") {
                return yield* new WriteFailed({ job_id: followed, errors: status.errors })
              }
              // `next` sleeps as the schedule says, and fails once it is done.
              const more = yield* Effect.either(driver.next(status))
              if (more._tag === "Left") {
                const now = yield* Effect.clockWith((clock) => clock.currentTimeMillis)
                return yield* new WriteStillPending({ job_id: followed, waitedMillis: now - started })
              }
            }
          }).pipe(
            Effect.withSpan("Propexo.awaitCompletion", {
              attributes: { "propexo.job_id": job_id },
              captureStackTrace: false
            })
          ),
        logs: (params = {}) =>
          Effect.map(
            client.read("getWriteLogs", "write logs", (api) => api.admin.writeLogs({ urlParams: params })),
            (answer) => answer.results.logs
          )
      }
    }
  )

  /**
   * @since 0.1.0
   */
  static readonly layer: Layer.Layer<WriteStatus, never, PropexoClient> = Layer.effect(WriteStatus, WriteStatus.make)
}
