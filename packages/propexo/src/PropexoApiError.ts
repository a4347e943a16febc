/**
 * The error answers of Propexo's API: one tagged error per status, each
 * made by one factory, whose encoded form is exactly Propexo's error body,
 * `{ "error": { "code", "message", "details"? } }`.
 *
 * @since 0.2.0
 */
import * as HttpApiSchema from "@effect/platform/HttpApiSchema"
import type * as Cause from "effect/Cause"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"

/**
 * Propexo's error body, as it travels on the wire (`errorResponse` in its
 * description, which gives it for 400; other statuses are assumed to share
 * it). A validation failure's `details` nests Zod's error:
 * `{ details: { issues: [...], name: "ZodError" } }`.
 *
 * @since 0.1.0
 * @category errors
 */
export const PropexoErrorBody = Schema.Struct({
  error: Schema.Struct({
    code: Schema.String,
    message: Schema.String,
    details: Schema.optionalWith(Schema.Unknown, { exact: true })
  })
}).annotations({ identifier: "PropexoErrorBody" })

/**
 * @since 0.1.0
 * @category errors
 */
export interface PropexoErrorBody extends Schema.Schema.Type<typeof PropexoErrorBody> {}

const errorFields = {
  /** Propexo's machine-readable code, e.g. `invalid_request`. */
  code: Schema.String,
  /** Propexo's own words. */
  message: Schema.String,
  /** Anything Propexo adds, e.g. `{ details: { issues: [...], name: "ZodError" } }` for a 400. */
  details: Schema.optionalWith(Schema.Unknown, { exact: true })
}

type StatusErrorFields<Tag extends string> = { readonly _tag: Schema.tag<Tag> } & typeof errorFields

/**
 * The class of Propexo's error at one status: a `Schema.TaggedError` with
 * Propexo's error fields whose instances, and the class itself, carry the
 * HTTP status as `status`.
 *
 * @since 0.2.0
 * @category models
 */
export interface StatusErrorClass<Self, Tag extends string, Status extends number> extends
  Schema.Class<
    Self,
    StatusErrorFields<Tag>,
    Schema.Struct.Encoded<StatusErrorFields<Tag>>,
    never,
    Schema.Struct.Constructor<typeof errorFields>,
    { readonly status: Status },
    Cause.YieldableError
  >
{
  readonly _tag: Tag
  readonly status: Status
}

/** The one factory of the error classes: each status's class differs only in its tag and status. */
const StatusError = <Self>() =>
<Tag extends string, const Status extends number>(tag: Tag, status: Status): StatusErrorClass<Self, Tag, Status> => {
  // `TaggedError<Self>` stays unresolved only because `Self` is a type
  // parameter here (it checks that `Self` is not `never`); every caller
  // names its own class, so this is the type it resolves to.
  const Base = Schema.TaggedError<Self>()(tag, errorFields) as Schema.TaggedErrorClass<
    Self,
    Tag,
    StatusErrorFields<Tag>
  >
  return class extends Base {
    /** The HTTP status this error travels with. */
    static readonly status: Status = status
    /** The HTTP status this error travels with. */
    get status(): Status {
      return status
    }
  }
}

/**
 * 400: Propexo refused the request itself (a body field missing, of the
 * wrong type, or unknown). Never worth retrying unchanged.
 *
 * @since 0.1.0
 * @category errors
 */
export class BadRequest extends StatusError<BadRequest>()("PropexoApiBadRequest", 400) {}

/**
 * 401: the bearer token is missing or wrong.
 *
 * @since 0.1.0
 * @category errors
 */
export class Unauthorized extends StatusError<Unauthorized>()("PropexoApiUnauthorized", 401) {}

/**
 * 403: the token is valid but may not touch this integration.
 *
 * @since 0.1.0
 * @category errors
 */
export class Forbidden extends StatusError<Forbidden>()("PropexoApiForbidden", 403) {}

/**
 * 404: no such record (event type, job, …) or path.
 *
 * @since 0.1.0
 * @category errors
 */
export class NotFound extends StatusError<NotFound>()("PropexoApiNotFound", 404) {}

/**
 * 429: the per-minute quota is spent; it resets at the start of the next
 * window (Propexo sends no `Retry-After`).
 *
 * @since 0.1.0
 * @category errors
 */
export class RateLimited extends StatusError<RateLimited>()("PropexoApiRateLimited", 429) {}

/**
 * 500: Propexo failed. Transient as far as a client can tell.
 *
 * @since 0.1.0
 * @category errors
 */
export class InternalServerError extends StatusError<InternalServerError>()("PropexoApiInternalServerError", 500) {}

/**
 * 502: a gateway in front of Propexo got no good answer. Transient.
 *
 * @since 0.1.0
 * @category errors
 */
export class BadGateway extends StatusError<BadGateway>()("PropexoApiBadGateway", 502) {}

/**
 * 503: Propexo is unavailable for now. Transient.
 *
 * @since 0.1.0
 * @category errors
 */
export class ServiceUnavailable extends StatusError<ServiceUnavailable>()("PropexoApiServiceUnavailable", 503) {}

/**
 * 504: a gateway in front of Propexo timed out. Transient.
 *
 * @since 0.1.0
 * @category errors
 */
export class GatewayTimeout extends StatusError<GatewayTimeout>()("PropexoApiGatewayTimeout", 504) {}

/**
 * Any error answer Propexo gives, one class per status.
 *
 * @since 0.1.0
 * @category errors
 */
export type PropexoApiError =
  | BadRequest
  | Unauthorized
  | Forbidden
  | NotFound
  | RateLimited
  | InternalServerError
  | BadGateway
  | ServiceUnavailable
  | GatewayTimeout

/**
 * Propexo's body for an error, as it would send it.
 *
 * @since 0.1.0
 * @category errors
 */
export const errorBody = (error: PropexoApiError): PropexoErrorBody => ({
  error: error.details === undefined
    ? { code: error.code, message: error.message }
    : { code: error.code, message: error.message, details: error.details }
})

type ErrorClass<E, I> = Schema.Schema<E, I> & {
  new(props: Schema.Struct.Type<typeof errorFields>): E
  readonly status: number
}

const decodeBody = Schema.decodeUnknownEither(Schema.parseJson(PropexoErrorBody))

/**
 * The wire form of one error class at its status. It is text, not JSON, so
 * that a body that is not Propexo's (an HTML page from a gateway, an empty
 * body) still decodes to the status's error instead of a parse failure;
 * such a body becomes `code: "unexpected_body"` with the text as message.
 * Encoding gives exactly Propexo's JSON body.
 */
const wire = <E extends PropexoApiError, I>(ErrorClass: ErrorClass<E, I>) =>
  Schema.transform(Schema.String, Schema.typeSchema(ErrorClass), {
    strict: true,
    decode: (text) =>
      Either.match(decodeBody(text), {
        onLeft: () =>
          new ErrorClass({
            code: "unexpected_body",
            message: text.trim() === "" ? `HTTP ${ErrorClass.status} with an empty body` : text.slice(0, 1_000)
          }),
        onRight: ({ error }) => new ErrorClass(error)
      }),
    encode: (error) => JSON.stringify(errorBody(error))
  }).pipe(
    HttpApiSchema.withEncoding({ kind: "Text", contentType: "application/json" }),
    (schema) => schema.annotations(HttpApiSchema.annotations({ status: ErrorClass.status }))
  )

/**
 * Wire schemas of the errors, keyed by status: each decodes any body at its
 * status and encodes to Propexo's JSON error body.
 *
 * @since 0.1.0
 * @category errors
 */
export const ErrorWire = {
  400: wire(BadRequest),
  401: wire(Unauthorized),
  403: wire(Forbidden),
  404: wire(NotFound),
  429: wire(RateLimited),
  500: wire(InternalServerError),
  502: wire(BadGateway),
  503: wire(ServiceUnavailable),
  504: wire(GatewayTimeout)
} as const
