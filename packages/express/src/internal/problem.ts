/**
 * HTTP answers: JSON, and RFC 9457 problem documents, and writing them.
 * This is the one place that decides which answer each failure gets, the
 * router's and the Fallback handlers' alike. What a caller reads is this
 * module's own text, plus what concerns the caller's own event (its field
 * problems, Propexo's findings on its fields, the PMS's refusals of it) and
 * the reasons `authorize` gave. No error's message, cause or stack is ever
 * copied into an answer, so no token, internal path or upstream chatter can
 * leak.
 */
import type { ApplicantEventsError } from "@entrata-events/core/ApplicantEvents"
import type { DeliveriesShape } from "@entrata-events/delivery/Deliveries"
import type {
  DeliveryNotCancellable,
  DeliveryNotFound,
  DeliveryNotRetryable,
  IdempotencyKeyReused,
  InvalidOption
} from "@entrata-events/delivery/DeliveryError"
import type { PropexoError, WriteFailed, WriteStillPending } from "@entrata-events/propexo/PropexoError"
import * as DateTime from "effect/DateTime"
import type * as Effect from "effect/Effect"
import type { Request, Response } from "express"
import { randomUUID } from "node:crypto"
import { STATUS_CODES } from "node:http"
import type { Forbidden, Unauthorized } from "../ApplicantEventsRouter.js"
import { fromParserError } from "./body.js"
import type {
  BodyRejected,
  IntegrationNotAllowed,
  InvalidInput,
  Issue,
  JobNotFound,
  MethodNotAllowed
} from "./failures.js"
import { property } from "./property.js"

/** Where the problem types are documented; each type is this plus its slug. */
export const TYPE_BASE = "https://entrata-events.dev/problems/"

/** An HTTP answer ready to write. */
export interface Answer {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

/** An RFC 9457 problem, before it is written. */
export interface Problem {
  readonly status: number
  readonly slug: string
  readonly title: string
  readonly detail: string
  readonly errors?: ReadonlyArray<Issue> | undefined
  /** Extension members, e.g. `ambiguous` or `job_id`. */
  readonly extensions?: Readonly<Record<string, unknown>> | undefined
  readonly headers?: Readonly<Record<string, string>> | undefined
}

/** The ledger could not be read or written (`@effect/sql`'s `SqlError`). */
export type LedgerError = Effect.Effect.Error<DeliveriesShape["backlog"]>

/** Every failure the router turns into an answer. */
export type Failure =
  | ApplicantEventsError
  | PropexoError
  | WriteFailed
  | WriteStillPending
  | BodyRejected
  | InvalidInput
  | IntegrationNotAllowed
  | JobNotFound
  | MethodNotAllowed
  | Unauthorized
  | Forbidden
  | IdempotencyKeyReused
  | DeliveryNotFound
  | DeliveryNotRetryable
  | DeliveryNotCancellable
  | InvalidOption
  | LedgerError

/** What the answer to a failure depends on besides the failure. */
export interface Context {
  /**
   * A create may have reached Propexo; a status read never changes
   * anything. The others are the routes on the delivery ledger, where
   * nothing reaches Propexo within the request.
   */
  readonly operation: "create" | "status" | "enqueue" | "list" | "delivery" | "retry" | "cancel"
  readonly statusUrl: (job_id: string) => string
  readonly now: number
}

const NO_STORE = { "cache-control": "no-store" }

// What an X-Request-Id may be: a token safe to echo and to log.
const REQUEST_ID = /^[A-Za-z0-9._~:+/=-]{1,200}$/

/** The caller's `X-Request-Id` when it is a sane token, otherwise a fresh one. */
export const requestIdOf = (req: Request): string => {
  const given = req.get("x-request-id")
  return given !== undefined && REQUEST_ID.test(given) ? given : randomUUID()
}

/** Writes an answer, unless one was already started or the client is gone. */
export const send = (res: Response, answer: Answer): void => {
  if (res.headersSent || res.destroyed) return
  res.statusCode = answer.status
  for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value)
  res.setHeader("content-length", Buffer.byteLength(answer.body))
  res.end(answer.body)
}

/** An answer as raw HTTP/1.1, for a socket no `ServerResponse` can write to any more. */
export const toRaw = (answer: Answer, requestId: string): string =>
  [
    `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status] ?? "Error"}`,
    ...Object.entries(answer.headers).map(([name, value]) => `${name}: ${value}`),
    `x-request-id: ${requestId}`,
    `content-length: ${Buffer.byteLength(answer.body)}`,
    "connection: close",
    "",
    answer.body
  ].join("\r\n")

/** A JSON answer. */
export const json = (status: number, value: unknown, headers: Readonly<Record<string, string>> = {}): Answer => ({
  status,
  headers: { ...NO_STORE, "content-type": "application/json; charset=utf-8", ...headers },
  body: JSON.stringify(value)
})

/** A problem as `application/problem+json`. */
export const answer = (problem: Problem, requestId: string): Answer => ({
  status: problem.status,
  headers: { ...NO_STORE, "content-type": "application/problem+json; charset=utf-8", ...problem.headers },
  body: JSON.stringify({
    type: `${TYPE_BASE}${problem.slug}`,
    title: problem.title,
    status: problem.status,
    detail: problem.detail,
    ...(problem.errors === undefined ? {} : { errors: problem.errors }),
    ...problem.extensions,
    request_id: requestId
  })
})

/** The answer to a defect: the details stay in the server's log. */
export const internalError = (requestId: string): Problem => ({
  status: 500,
  slug: "internal-error",
  title: "Internal error",
  detail: `Something went wrong inside this server; its log has the details under request id ${requestId}.`
})

/** The answer when the server stops the work itself, e.g. while shutting down. */
export const unavailable: Problem = {
  status: 503,
  slug: "service-unavailable",
  title: "Service unavailable",
  detail: "The server stopped handling the request before it finished; try again later."
}

// The same answer whether the job does not exist or belongs to an
// integration the caller may not use: a 403 would tell that it exists.
const jobNotFound: Problem = {
  status: 404,
  slug: "job-not-found",
  title: "Unknown job",
  detail: "There is no write job with that id that this caller may see."
}

/** The answer to a method the resource does not answer. */
export const methodNotAllowed = (allow: string): Problem => ({
  status: 405,
  slug: "method-not-allowed",
  title: "Method not allowed",
  detail: `This resource answers ${allow} only.`,
  headers: { allow }
})

/** The answer to a path nothing answers. */
export const notFound: Problem = {
  status: 404,
  slug: "not-found",
  title: "Not found",
  detail: "Nothing is served at this path."
}

const malformedUrl: Problem = {
  status: 400,
  slug: "malformed-url",
  title: "Malformed URL",
  detail: "The request's URL has a percent-encoding that is not valid UTF-8."
}

const badRequest = (status: number): Problem => ({
  status,
  slug: "bad-request",
  title: STATUS_CODES[status] ?? "Bad request",
  detail: "This server cannot read the request."
})

/**
 * The answer to an error Express or a middleware passed on; `undefined`
 * for a defect (answered 500, logged).
 */
export const forExpressError = (error: unknown, req: Request): Problem | undefined => {
  // The router's parameter decoding: `decodeURIComponent` refused the path.
  if (error instanceof URIError) return malformedUrl
  const body = fromParserError(error, req)
  if (body !== undefined) return bodyProblem(body)
  const status = property(error, "status")
  return typeof status === "number" && Number.isInteger(status) && status >= 400 && status < 500
    ? badRequest(status)
    : undefined
}

/** The answer to a request Node's HTTP parser refused or timed out, by its error code. */
export const forClientError = (code: unknown): Problem => {
  switch (code) {
    case "ERR_HTTP_REQUEST_TIMEOUT":
      return {
        status: 408,
        slug: "request-timeout",
        title: "Request timeout",
        detail: "The request did not arrive in full within the time this server allows."
      }
    case "HPE_HEADER_OVERFLOW":
      return {
        status: 431,
        slug: "header-fields-too-large",
        title: "Request header fields too large",
        detail: "The request's headers are larger than this server accepts."
      }
    default:
      return badRequest(400)
  }
}

const invalidInput = (errors: ReadonlyArray<Issue>): Problem => ({
  status: 400,
  slug: "invalid-input",
  title: "Invalid applicant event",
  detail: `The request has ${errors.length === 1 ? "a problem" : `${errors.length} problems`}; see errors.`,
  errors
})

const MAY_BE_RECORDED = "The event may have been recorded: check Entrata before sending it again."

/**
 * A failed create's answer says what the error itself says about whether
 * the event may have been recorded: the client decided it once.
 */
const withAmbiguity = (problem: Problem, ambiguous: boolean): Problem => ({
  ...problem,
  detail: ambiguous ? `${problem.detail} ${MAY_BE_RECORDED}` : problem.detail,
  extensions: { ...problem.extensions, ambiguous }
})

const secondsUntil = (instant: DateTime.Utc, now: number): number =>
  Math.max(1, Math.ceil((DateTime.toEpochMillis(instant) - now) / 1000))

const bodyProblem = (failure: BodyRejected): Problem => {
  switch (failure.reason) {
    case "too-large":
      return { status: 413, slug: "content-too-large", title: "Content too large", detail: failure.detail }
    case "unsupported-media-type":
    case "unsupported-encoding":
      return {
        status: 415,
        slug: "unsupported-media-type",
        title: "Unsupported media type",
        detail: failure.detail,
        headers: { "accept-post": "application/json" }
      }
    case "missing":
      return { status: 400, slug: "missing-body", title: "Missing body", detail: failure.detail }
    case "malformed":
      return { status: 400, slug: "malformed-json", title: "Malformed JSON", detail: failure.detail }
  }
}

// The same answer whether the delivery does not exist or belongs to an
// integration the caller may not use.
const deliveryNotFound: Problem = {
  status: 404,
  slug: "delivery-not-found",
  title: "Unknown delivery",
  detail: "There is no delivery with that id that this caller may see."
}

/** Where each option of the delivery operations comes from in a request. */
const OPTION_PATHS: Readonly<Record<string, string>> = {
  idempotencyKey: "Idempotency-Key",
  status: "?status",
  integration_id: "?integration_id",
  limit: "?limit",
  cursor: "?cursor"
}

/** The problem a failure is answered with. */
export const problemFor = (failure: Failure, ctx: Context): Problem => {
  const problem = problemOf(failure, ctx)
  return ctx.operation === "create" && "ambiguous" in failure ? withAmbiguity(problem, failure.ambiguous) : problem
}

const problemOf = (failure: Failure, ctx: Context): Problem => {
  switch (failure._tag) {
    case "Unauthorized":
      return {
        status: 401,
        slug: "unauthorized",
        title: "Unauthorized",
        detail: failure.reason,
        headers: { "www-authenticate": failure.challenge ?? "Bearer" }
      }
    case "Forbidden":
      return { status: 403, slug: "forbidden", title: "Forbidden", detail: failure.reason }
    case "IntegrationNotAllowed":
      return {
        status: 403,
        slug: "integration-not-allowed",
        title: "Integration not allowed",
        detail: "This caller may not write events for that integration; nothing was sent.",
        errors: [{ path: "integration_id", message: "is not an integration this caller may write to" }]
      }
    case "BodyRejected":
      return bodyProblem(failure)
    case "InvalidInput":
      return invalidInput(failure.issues)
    case "InvalidApplicantEvent":
      return invalidInput(failure.issues)
    case "JobNotFound":
      return jobNotFound
    case "MethodNotAllowed":
      return methodNotAllowed(failure.allow)
    case "PropexoBadRequest":
      return {
        status: 422,
        slug: "rejected-by-propexo",
        title: "Propexo rejected the event",
        detail: "Propexo's own validation refused the event; nothing was recorded.",
        errors: failure.issues
      }
    case "PropexoNotFound":
      return ctx.operation === "create"
        ? {
          status: 422,
          slug: "rejected-by-propexo",
          title: "Propexo rejected the event",
          detail: "Propexo does not know a record the event refers to; nothing was recorded."
        }
        : jobNotFound
    case "WriteFailed":
      return {
        status: 422,
        slug: "rejected-by-entrata",
        title: "Entrata refused the event",
        detail: "Propexo queued the event, and Entrata refused to record it; see errors for its reasons.",
        errors: failure.errors.map((message) => ({ path: "", message })),
        extensions: { job_id: failure.job_id, status_url: ctx.statusUrl(failure.job_id) }
      }
    case "WriteStillPending":
      return {
        status: 504,
        slug: "write-pending",
        title: "The write is still pending",
        detail: `Propexo queued the event, and Entrata had not applied it after ${
          Math.round(failure.waitedMillis / 1000)
        } s; follow status_url to learn how it ends.`,
        extensions: { job_id: failure.job_id, status_url: ctx.statusUrl(failure.job_id) }
      }
    case "PropexoRateLimited": {
      const seconds = secondsUntil(failure.resetAt, ctx.now)
      return {
        status: 429,
        slug: "rate-limited",
        title: "Too many requests",
        detail: `Propexo's request quota is spent, so nothing was sent; try again in ${seconds} s.`,
        headers: { "retry-after": String(seconds) }
      }
    }
    case "PropexoUnavailable":
      return {
        status: 502,
        slug: "propexo-unavailable",
        title: "Propexo is unavailable",
        detail: failure.status === undefined
          ? "Propexo could not be reached."
          : `Propexo answered with HTTP ${failure.status}.`
      }
    case "PropexoUnauthorized":
      return {
        status: 502,
        slug: "propexo-credentials",
        title: "Propexo refused this server's credentials",
        detail: "This server's Propexo credentials were refused; its operators must fix them. Nothing was recorded."
      }
    case "PropexoUnexpectedResponse":
      return {
        status: 502,
        slug: "propexo-unexpected-response",
        title: "Propexo answered unexpectedly",
        detail: "Propexo's answer could not be understood."
      }
    case "PropexoTimeout":
      return {
        status: 504,
        slug: "propexo-timeout",
        title: "Propexo did not answer in time",
        detail: `Propexo did not answer within ${failure.timeoutMillis} ms.`
      }
    case "InvalidOption":
      return invalidInput([{ path: OPTION_PATHS[failure.field] ?? failure.field, message: failure.rule }])
    case "IdempotencyKeyReused":
      return {
        status: 409,
        slug: "idempotency-key-reused",
        title: "Idempotency key already used",
        detail: "This Idempotency-Key was already used in this integration for another event; nothing was accepted. " +
          "Send a new event with a new key.",
        errors: [{ path: "Idempotency-Key", message: `was used for delivery ${failure.id}, with another body` }],
        extensions: { id: failure.id }
      }
    case "DeliveryNotFound":
      return deliveryNotFound
    case "DeliveryNotRetryable":
      return {
        status: 409,
        slug: "delivery-not-retryable",
        title: "The delivery cannot be retried",
        detail: `This delivery is ${failure.status}: only a failed or ambiguous delivery can be retried.`,
        extensions: { id: failure.id, delivery_status: failure.status }
      }
    case "DeliveryNotCancellable":
      return {
        status: 409,
        slug: "delivery-not-cancellable",
        title: "The delivery cannot be cancelled",
        detail: `This delivery is ${failure.status}: only a queued delivery can be cancelled.`,
        extensions: { id: failure.id, delivery_status: failure.status }
      }
    case "SqlError":
      return {
        status: 503,
        slug: "ledger-unavailable",
        title: "The delivery ledger is unavailable",
        detail: "This server could not read or write its delivery ledger; try again later."
      }
  }
}
