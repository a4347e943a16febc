import type * as HttpApiError from "@effect/platform/HttpApiError"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import type { FieldIssue } from "@entrata-events/core/ApplicantEvent"
import * as DateTime from "effect/DateTime"
import * as ParseResult from "effect/ParseResult"
import * as Predicate from "effect/Predicate"
import type * as PropexoApi from "../PropexoApi.js"
import {
  PropexoBadRequest,
  type PropexoError,
  PropexoNotFound,
  PropexoRateLimited,
  PropexoTimeout,
  PropexoUnauthorized,
  PropexoUnavailable,
  PropexoUnexpectedResponse
} from "../PropexoError.js"
import type { QuotaWaitExceeded } from "./rateLimiter.js"
import type { RequestTimedOut } from "./transport.js"

/**
 * Error codes of connections that failed before any byte of the request
 * left: Propexo certainly did not process the request.
 */
const NOT_SENT_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "UND_ERR_CONNECT_TIMEOUT",
  "ERR_TLS_CERT_ALTNAME_INVALID",
  "CERT_HAS_EXPIRED",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "ERR_SSL_WRONG_VERSION_NUMBER"
])

/** The first `code` along an error's `cause` chain (undici nests them). */
const errorCode = (u: unknown): string | undefined => {
  for (let e = u, depth = 0; Predicate.isObject(e) && depth < 5; depth++) {
    if ("code" in e && typeof e.code === "string") return e.code
    e = "cause" in e ? e.cause : undefined
  }
  return undefined
}

/** @internal */
export const connectionNeverSent = (cause: unknown): boolean => {
  const code = errorCode(cause)
  return code !== undefined && NOT_SENT_CODES.has(code)
}

/** The body as text, at most 1,000 characters. */
const bodyText = (body: ArrayBuffer | undefined) => {
  const text = body === undefined ? "" : new TextDecoder().decode(body)
  return text.length > 1_000 ? `${text.slice(0, 1_000)}…` : text
}

const issuesOf = (details: unknown): Array<FieldIssue> => {
  const nested = Predicate.isRecord(details) && Predicate.isRecord(details.details) ? details.details : details
  const raw = Predicate.isRecord(nested) && Array.isArray(nested.issues) ? nested.issues : []
  return raw.flatMap((issue: unknown): Array<FieldIssue> => {
    if (!Predicate.isRecord(issue)) return []
    const path = Array.isArray(issue.path) ? issue.path.map(String).join(".") : ""
    const message = typeof issue.message === "string" ? issue.message : "is invalid"
    if (issue.code === "unrecognized_keys" && Array.isArray(issue.keys)) {
      return issue.keys.map((key) => ({
        path: path === "" ? String(key) : `${path}.${String(key)}`,
        message: "is not a field Propexo accepts"
      }))
    }
    return [{ path, message }]
  })
}

/** A one-line account of where a value left its schema, never Schema's tree. */
const issuesInOneLine = (error: ParseResult.ParseError): string => {
  const issues = ParseResult.ArrayFormatter.formatErrorSync(error)
  const shown = issues.slice(0, 3).map((issue) =>
    `${issue.path.length === 0 ? "the whole" : issue.path.map(String).join(".")}: ${
      issue._tag === "Missing" ? "is missing" : issue.message.split("\n")[0]
    }`
  )
  return `${shown.join("; ")}${issues.length > 3 ? "; …" : ""}`
}

/** @internal */
export interface Context {
  /** A create: losing its answer leaves its fate unknown. */
  readonly create: boolean
  readonly what: string
  readonly timeoutMillis: number
  readonly resetAt: number
  readonly limit: number
  readonly lastResponse: { readonly status: number; readonly body: ArrayBuffer } | undefined
}

/** Error values the generated client fails with. */
type Raw =
  | PropexoApi.PropexoApiError
  | HttpApiError.HttpApiDecodeError
  | HttpClientError.HttpClientError
  | ParseResult.ParseError
  | RequestTimedOut
  | QuotaWaitExceeded

/**
 * Turns whatever the generated client failed with into one of the
 * documented Propexo errors.
 *
 * @internal
 */
export const classify = (error: Raw, ctx: Context): PropexoError => {
  switch (error._tag) {
    case "PropexoApiBadRequest":
      return new PropexoBadRequest({ code: error.code, detail: error.message, issues: issuesOf(error.details), ambiguous: false })
    case "HttpApiDecodeError":
      return new PropexoBadRequest({
        code: "invalid_request",
        detail: error.message,
        issues: error.issues.map((issue) => ({ path: issue.path.map(String).join("."), message: issue.message })),
        ambiguous: false
      })
    case "PropexoApiUnauthorized":
      return new PropexoUnauthorized({ status: 401, detail: error.message, ambiguous: false })
    case "PropexoApiForbidden":
      return new PropexoUnauthorized({ status: 403, detail: error.message, ambiguous: false })
    case "PropexoApiNotFound":
      return new PropexoNotFound({ what: ctx.what, detail: error.message, ambiguous: false })
    case "PropexoApiRateLimited":
      return new PropexoRateLimited({ resetAt: DateTime.unsafeMake(ctx.resetAt), limit: ctx.limit, ambiguous: false })
    case "PropexoApiInternalServerError":
    case "PropexoApiBadGateway":
    case "PropexoApiServiceUnavailable":
    case "PropexoApiGatewayTimeout":
      return new PropexoUnavailable({
        status: error.status,
        reason: `HTTP ${error.status}: ${error.message}`,
        ambiguous: ctx.create
      })
    case "QuotaWaitExceeded":
      return new PropexoRateLimited({ resetAt: DateTime.unsafeMake(error.resetAt), limit: ctx.limit, ambiguous: false })
    case "RequestTimedOut":
      return new PropexoTimeout({ timeoutMillis: ctx.timeoutMillis, ambiguous: ctx.create })
    case "RequestError": {
      if (error.reason !== "Transport") {
        return new PropexoUnexpectedResponse({
          status: 0,
          body: "",
          reason: `request could not be built: ${error.reason}`,
          ambiguous: false
        })
      }
      const neverSent = connectionNeverSent(error.cause)
      const code = errorCode(error.cause)
      return new PropexoUnavailable({
        reason: `connection failed${code === undefined ? "" : ` (${code})`}${neverSent ? " before the request was sent" : ""}`,
        ambiguous: ctx.create && !neverSent
      })
    }
    case "ResponseError":
      return new PropexoUnexpectedResponse({
        status: error.response.status,
        body: bodyText(ctx.lastResponse?.body),
        // The generated client reports a status it has no schema for as a `Decode` error without a cause.
        reason: error.reason === "Decode" && error.cause !== undefined
          ? "the body could not be read"
          : `undocumented status ${error.response.status}`,
        // Only a 4xx says Propexo refused it; a 5xx, or a 2xx it could not read, may have queued it.
        ambiguous: ctx.create && !(error.response.status >= 400 && error.response.status < 500)
      })
    case "ParseError":
      // With no answer yet, the schema refused the request itself (a path id that cannot be sent): nothing left.
      if (ctx.lastResponse === undefined) {
        return new PropexoUnexpectedResponse({
          status: 0,
          body: "",
          reason: `request could not be built (${issuesInOneLine(error)})`,
          ambiguous: false
        })
      }
      return new PropexoUnexpectedResponse({
        status: ctx.lastResponse.status,
        body: bodyText(ctx.lastResponse.body),
        reason: `the answer does not match Propexo's schema (${issuesInOneLine(error)})`,
        ambiguous: ctx.create
      })
  }
}
