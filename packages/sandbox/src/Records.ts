/**
 * What the simulator records and shows about itself: the requests it
 * received, the write jobs they queued, each token's quota, the answers as
 * they went on the wire, and the tokens these name. The simulator's
 * service and its internals share these models.
 *
 * @since 0.2.0
 */
import type * as PropexoApi from "@entrata-events/propexo/PropexoApi"
import type * as Redacted from "effect/Redacted"

/**
 * A token the simulator accepts. `name` is the non-secret label the
 * request log shows; `integrations` limits the integrations the token may
 * touch (others answer 403), `null` for all.
 *
 * @since 0.1.0
 * @category models
 */
export interface SandboxToken {
  readonly name: string
  readonly token: Redacted.Redacted<string>
  readonly integrations: ReadonlyArray<string> | null
}

/**
 * What became of a request: answered, its connection destroyed before its
 * body was read or after it was processed, or answered with broken JSON.
 *
 * @since 0.1.0
 * @category models
 */
export type RequestOutcome = "answered" | "dropped-before-body" | "dropped-after-processing" | "malformed"

/**
 * One request the simulator received (inspection routes excluded).
 *
 * @since 0.1.0
 * @category models
 */
export interface RequestRecord {
  /** Position in arrival order, from 1, never reused until a reset. */
  readonly seq: number
  /** When it arrived, ISO 8601 UTC. */
  readonly time: string
  readonly method: string
  readonly path: string
  readonly query: Readonly<Record<string, string>>
  /** Lower-case names; `authorization` is never kept. */
  readonly headers: Readonly<Record<string, string>>
  /** The raw body text; `null` when the connection was dropped before it was read. */
  readonly body: string | null
  /** The name of the token that authenticated it, `null` when none did. */
  readonly token: string | null
  /** The status sent, or that would have been sent when the connection was dropped after processing. */
  readonly status: number | null
  readonly outcome: RequestOutcome
  /** Whether it was slowed down for using 80% of the quota or more. */
  readonly delayed: boolean
  readonly durationMs: number
  /** The write job a create queued. */
  readonly jobId: string | null
  /**
   * For a create: per date-time field that is a valid ISO date-time with an
   * offset, whether its offset is America/Denver's at that instant.
   */
  readonly mountainTime: Readonly<Record<string, boolean>> | null
}

/**
 * A queued write and what the PMS made of it.
 *
 * @since 0.1.0
 * @category models
 */
export interface JobRecord {
  readonly id: string
  /** The name of the token that created it. */
  readonly token: string
  readonly status: PropexoApi.WriteStatusValue
  readonly errors: ReadonlyArray<string>
  /** The accepted body, as sent (without unknown keys, when `ignore_unknown_fields=true` dropped them). */
  readonly body: Readonly<Record<string, unknown>>
  readonly mountainTime: Readonly<Record<string, boolean>>
  /** 1 for a create's job; a retry's new job has the attempt number of the job it retries, plus one. */
  readonly attempts: number
  /** The failed job this one retries (`retry-write` answers a new job id), `null` for a create's job. */
  readonly retryOf: string | null
  readonly createdAt: string
  readonly updatedAt: string
  /** The read side's event id once it succeeded. */
  readonly eventId: string | null
}

/**
 * A token's use of its current rate-limit window.
 *
 * @since 0.1.0
 * @category models
 */
export interface QuotaRecord {
  readonly token: string
  readonly limit: number
  readonly used: number
  readonly remaining: number
  readonly windowStart: string
  readonly windowEnd: string
}

/**
 * One answer to a Propexo path as it went on the wire, for the simulator's
 * `onAnswer` option.
 *
 * @since 0.2.0
 * @category models
 */
export interface AnswerRecord {
  /** The `seq` of the request in the request log. */
  readonly seq: number
  readonly method: string
  /** The path as received, still percent-encoded. */
  readonly path: string
  readonly status: number
  readonly contentType: string | undefined
  readonly body: string
  /** `malformed` when the `malformedShare` fault cut the body in half. */
  readonly outcome: "answered" | "malformed"
}
