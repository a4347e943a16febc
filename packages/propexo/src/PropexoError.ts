/**
 * What can go wrong talking to Propexo, one class per cause, each with a
 * message in plain words. None carries the token: requests are described by
 * method and path only.
 *
 * Every class says in `ambiguous` whether Propexo may have processed the
 * request anyway (true only for a create whose answer was lost or not
 * understood): it has no idempotency key, so such a create is not retried
 * by default, and every surface tells its caller from this one field.
 *
 * @since 0.1.0
 */
import { FieldIssue } from "@entrata-events/core/ApplicantEvent"
import type {} from "@entrata-events/core/ApplicantEvents"
import * as Schema from "effect/Schema"

/**
 * 400: Propexo's own validation refused the request. `issues` are its
 * findings, mapped to the field paths of the event.
 *
 * @since 0.1.0
 * @category errors
 */
export class PropexoBadRequest extends Schema.TaggedError<PropexoBadRequest>()("PropexoBadRequest", {
  code: Schema.String,
  detail: Schema.String,
  issues: Schema.Array(FieldIssue),
  /** Whether Propexo may have processed the request anyway. */
  ambiguous: Schema.Boolean
}) {
  override get message(): string {
    const issues = this.issues.map((i) => i.path === "" ? i.message : `${i.path}: ${i.message}`)
    return `Propexo refused the request (${this.code}): ${this.detail}${
      issues.length > 0 ? ` — ${issues.join("; ")}` : ""
    }`
  }
}

/**
 * 401/403: the token is missing, wrong, or not allowed this call. Never
 * retried.
 *
 * @since 0.1.0
 * @category errors
 */
export class PropexoUnauthorized extends Schema.TaggedError<PropexoUnauthorized>()("PropexoUnauthorized", {
  status: Schema.Number,
  detail: Schema.String,
  /** Whether Propexo may have processed the request anyway. */
  ambiguous: Schema.Boolean
}) {
  override get message(): string {
    return `Propexo refused the credentials (${this.status}): ${this.detail}`
  }
}

/**
 * 404: no such record (an unknown job id or catalog id).
 *
 * @since 0.1.0
 * @category errors
 */
export class PropexoNotFound extends Schema.TaggedError<PropexoNotFound>()("PropexoNotFound", {
  what: Schema.String,
  detail: Schema.String,
  /** Whether Propexo may have processed the request anyway. */
  ambiguous: Schema.Boolean
}) {
  override get message(): string {
    return `Propexo has no ${this.what}: ${this.detail}`
  }
}

/**
 * 429 after the allowed retries, or no slot from the quota's pacer within
 * the caller's `maxQuotaWait` (then nothing was sent): the quota is spent
 * until `resetAt`.
 *
 * @since 0.1.0
 * @category errors
 */
export class PropexoRateLimited extends Schema.TaggedError<PropexoRateLimited>()("PropexoRateLimited", {
  resetAt: Schema.DateTimeUtcFromSelf,
  limit: Schema.Number,
  /** Whether Propexo may have processed the request anyway. */
  ambiguous: Schema.Boolean
}) {
  override get message(): string {
    return `Propexo's quota of ${this.limit} requests is spent until ${this.resetAt.toString().slice(13, -1)}`
  }
}

/**
 * A 5xx answer or a failed connection. `ambiguous` is true when Propexo may
 * have processed the request.
 *
 * @since 0.1.0
 * @category errors
 */
export class PropexoUnavailable extends Schema.TaggedError<PropexoUnavailable>()("PropexoUnavailable", {
  status: Schema.optional(Schema.Number),
  reason: Schema.String,
  ambiguous: Schema.Boolean
}) {
  override get message(): string {
    return `Propexo is unavailable: ${this.reason}${
      this.ambiguous ? " (the request may have been processed; it was not retried)" : ""
    }`
  }
}

/**
 * No answer within the per-request timeout. For a create, `ambiguous` is
 * true: Propexo may have processed it.
 *
 * @since 0.1.0
 * @category errors
 */
export class PropexoTimeout extends Schema.TaggedError<PropexoTimeout>()("PropexoTimeout", {
  timeoutMillis: Schema.Number,
  ambiguous: Schema.Boolean
}) {
  override get message(): string {
    return `Propexo did not answer within ${this.timeoutMillis} ms${
      this.ambiguous ? " (the request may have been processed; it was not retried)" : ""
    }`
  }
}

/**
 * An answer that does not match Propexo's documented shape. `body` is
 * truncated to 1,000 characters.
 *
 * @since 0.1.0
 * @category errors
 */
export class PropexoUnexpectedResponse
  extends Schema.TaggedError<PropexoUnexpectedResponse>()("PropexoUnexpectedResponse", {
    status: Schema.Number,
    body: Schema.String,
    reason: Schema.String,
    /** Whether Propexo may have processed the request anyway. */
    ambiguous: Schema.Boolean
  })
{
  override get message(): string {
    return `Propexo answered ${this.status} with a body this client does not understand: ${this.reason}`
  }
}

/**
 * The PMS refused a write Propexo had queued: `errors` are its messages.
 *
 * @since 0.1.0
 * @category errors
 */
export class WriteFailed extends Schema.TaggedError<WriteFailed>()("WriteFailed", {
  job_id: Schema.String,
  errors: Schema.Array(Schema.String)
}) {
  override get message(): string {
    return `Entrata refused the event (job ${this.job_id}): ${this.errors.join("; ") || "no reason given"}`
  }

  /** Entrata refused it: it was not recorded. */
  get ambiguous(): false {
    return false
  }
}

/**
 * A write still pending when awaiting it gave up.
 *
 * @since 0.1.0
 * @category errors
 */
export class WriteStillPending extends Schema.TaggedError<WriteStillPending>()("WriteStillPending", {
  job_id: Schema.String,
  waitedMillis: Schema.Number
}) {
  override get message(): string {
    return `The write (job ${this.job_id}) was still pending after ${this.waitedMillis} ms; check it later`
  }

  /** Queued and not yet decided: it may still be recorded. */
  get ambiguous(): true {
    return true
  }
}

/**
 * Every failure of a call to Propexo.
 *
 * @since 0.1.0
 * @category errors
 */
export type PropexoError =
  | PropexoBadRequest
  | PropexoUnauthorized
  | PropexoNotFound
  | PropexoRateLimited
  | PropexoUnavailable
  | PropexoTimeout
  | PropexoUnexpectedResponse

declare module "@entrata-events/core/ApplicantEvents" {
  interface ApplicantEventsErrors {
    readonly PropexoBadRequest: PropexoBadRequest
    readonly PropexoUnauthorized: PropexoUnauthorized
    readonly PropexoNotFound: PropexoNotFound
    readonly PropexoRateLimited: PropexoRateLimited
    readonly PropexoUnavailable: PropexoUnavailable
    readonly PropexoTimeout: PropexoTimeout
    readonly PropexoUnexpectedResponse: PropexoUnexpectedResponse
    readonly WriteFailed: WriteFailed
    readonly WriteStillPending: WriteStillPending
  }
}
