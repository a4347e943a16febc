/**
 * Propexo's webhooks, as a library function for an HTTP route to call
 * (`POST /propexo/webhooks`): `receive(rawBody, signature)` verifies the
 * `propexo-signature` header and, for a `WRITE_OPERATION_FAILURE`, settles
 * the delivery of that job at once, without waiting for the write logs.
 *
 * Propexo signs the exact bytes it sends (a hex HMAC-SHA256 with the
 * webhook secret): give `receive` the raw body, before any JSON parsing.
 *
 * @since 0.2.0
 */
import type { SqlError } from "@effect/sql/SqlError"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { createHmac, timingSafeEqual } from "node:crypto"
import type { DeliveryStatus } from "./Delivery.js"
import { InvalidWebhook, WebhookSignatureRefused } from "./DeliveryError.js"
import { DeliveryLedger } from "./DeliveryLedger.js"
import { confirmed } from "./internal/confirmation.js"

/**
 * The header Propexo puts the signature in.
 *
 * @since 0.2.0
 * @category constants
 */
export const SIGNATURE_HEADER = "propexo-signature"

/**
 * The trigger this package acts on; others are answered `ignored`.
 *
 * @since 0.2.0
 * @category constants
 */
export const WRITE_OPERATION_FAILURE = "WRITE_OPERATION_FAILURE"

/**
 * A `WRITE_OPERATION_FAILURE` webhook's `data`, as Propexo documents it.
 * `event` and `vendor` are not needed here, so not required.
 *
 * @since 0.2.0
 * @category schemas
 */
export const WriteOperationFailure = Schema.Struct({
  event: Schema.optional(Schema.String),
  integration_id: Schema.String,
  vendor: Schema.optional(Schema.String),
  /** The job the create answered (`meta.job_id`). */
  root_job_id: Schema.String,
  write_status: Schema.String.pipe(
    Schema.filter((status): status is "PARTIAL_SUCCESS" | "FAILURE" =>
      status === "PARTIAL_SUCCESS" || status === "FAILURE", { message: () => "must be PARTIAL_SUCCESS or FAILURE" })
  ),
  errors: Schema.Array(Schema.String)
})

/**
 * @since 0.2.0
 * @category schemas
 */
export interface WriteOperationFailure extends Schema.Schema.Type<typeof WriteOperationFailure> {}

const Envelope = Schema.Struct({ trigger: Schema.String, data: Schema.Unknown })

/**
 * What a webhook came to:
 *
 * - `recorded`: the delivery of that job is settled now (`failed`, or
 *   `succeeded` for a `PARTIAL_SUCCESS`);
 * - `already-settled`: it was settled before (by the write logs, the write
 *   status, or this same webhook sent again); nothing changed;
 * - `unknown-job`: no delivery of this integration has that job (another
 *   application's write, or one whose answer this service has not recorded
 *   yet: the write logs will tell);
 * - `ignored`: another trigger.
 *
 * Each is a success for Propexo (an HTTP route answers 200): sending it
 * again would change nothing.
 *
 * @since 0.2.0
 * @category models
 */
export interface WebhookReceipt {
  readonly trigger: string
  readonly outcome: "recorded" | "already-settled" | "unknown-job" | "ignored"
  readonly delivery_id: string | null
  /** The delivery's status after the webhook. */
  readonly status: DeliveryStatus | null
}

/**
 * @since 0.2.0
 * @category models
 */
export interface WebhooksShape {
  /**
   * Verifies `signature` (the `propexo-signature` header) against the raw
   * body, in constant time, before reading anything in it; then acts on a
   * `WRITE_OPERATION_FAILURE`.
   */
  readonly receive: (
    rawBody: Uint8Array,
    signature: string | undefined
  ) => Effect.Effect<WebhookReceipt, WebhookSignatureRefused | InvalidWebhook | SqlError>
}

/**
 * @since 0.2.0
 * @category tags
 */
export class Webhooks extends Context.Tag("@entrata-events/delivery/Webhooks")<Webhooks, WebhooksShape>() {}

/**
 * @since 0.2.0
 * @category models
 */
export interface WebhooksOptions {
  /** The webhook secret of Propexo's dashboard. */
  readonly secret: Redacted.Redacted<string>
}

const secretConfig = Config.redacted(Config.nonEmptyString("PROPEXO_WEBHOOK_SECRET"))

/**
 * `PROPEXO_WEBHOOK_SECRET`, when it is set: the webhook route exists only
 * then. An empty value counts as unset: anyone could sign with it.
 *
 * @since 0.2.0
 * @category config
 */
export const config: Config.Config<Option.Option<Redacted.Redacted<string>>> = Config.option(secretConfig)

const HEX_SHA256 = /^[0-9a-f]{64}$/i

const parseJson = Schema.decodeUnknownEither(Schema.parseJson(Envelope))
const decodeFailure = Schema.decodeUnknownEither(WriteOperationFailure)

const invalid = (error: ParseResult.ParseError, prefix: ReadonlyArray<string>): InvalidWebhook => {
  const [first, ...rest] = ParseResult.ArrayFormatter.formatErrorSync(error).map((issue) => ({
    path: [...prefix, ...issue.path.map(String)].join("."),
    message: issue._tag === "Missing" ? "is required" : issue.message
  }))
  return new InvalidWebhook({
    issues: first === undefined ? [{ path: "", message: "is not valid" }] : [first, ...rest]
  })
}

/**
 * @since 0.2.0
 * @category constructors
 */
export const make = (options: WebhooksOptions): Effect.Effect<WebhooksShape, never, DeliveryLedger> =>
  Effect.gen(function*() {
    const ledger = yield* DeliveryLedger
    const clock = yield* Effect.clock

    const verify = (rawBody: Uint8Array, signature: string | undefined) => {
      const presented = signature?.trim() ?? ""
      if (presented === "") return Either.left(new WebhookSignatureRefused({ reason: "missing" }))
      if (!HEX_SHA256.test(presented)) return Either.left(new WebhookSignatureRefused({ reason: "malformed" }))
      const expected = createHmac("sha256", Redacted.value(options.secret)).update(rawBody).digest()
      // Both 32 bytes: the comparison's time says nothing about where they differ.
      return timingSafeEqual(expected, Buffer.from(presented, "hex"))
        ? Either.right(undefined)
        : Either.left(new WebhookSignatureRefused({ reason: "mismatch" }))
    }

    const settle = (failure: WriteOperationFailure): Effect.Effect<WebhookReceipt, SqlError> =>
      Effect.gen(function*() {
        const found = yield* ledger.findByJob(failure.root_job_id)
        const row = Option.getOrUndefined(found)
        if (row === undefined || row.integration_id !== failure.integration_id) {
          yield* Effect.logInfo(`A write-failure webhook names job ${failure.root_job_id}, which no delivery has`)
          return { trigger: WRITE_OPERATION_FAILURE, outcome: "unknown-job", delivery_id: null, status: null }
        }
        const change = confirmed(failure, clock.unsafeCurrentTimeMillis(), "webhook")
        const moved = row.status === "sent" && change !== undefined
          ? yield* ledger.transition(row.id, { ...change, from: "sent" })
          : Option.none()
        if (Option.isSome(moved)) {
          const status = moved.value.status
          return { trigger: WRITE_OPERATION_FAILURE, outcome: "recorded", delivery_id: row.id, status }
        }
        const now = Option.getOrElse(yield* ledger.find(row.id), () => row)
        return { trigger: WRITE_OPERATION_FAILURE, outcome: "already-settled", delivery_id: row.id, status: now.status }
      })

    const receive: WebhooksShape["receive"] = Effect.fn("Webhooks.receive", { captureStackTrace: false })(function*(
      rawBody,
      signature
    ) {
      yield* verify(rawBody, signature)
      const envelope = yield* Either.mapLeft(
        parseJson(new TextDecoder().decode(rawBody)),
        (error) => invalid(error, [])
      )
      if (envelope.trigger !== WRITE_OPERATION_FAILURE) {
        const ignored: WebhookReceipt = { trigger: envelope.trigger, outcome: "ignored", delivery_id: null, status: null }
        return ignored
      }
      const failure = yield* Either.mapLeft(decodeFailure(envelope.data), (error) => invalid(error, ["data"]))
      yield* Effect.annotateCurrentSpan({ "propexo.job_id": failure.root_job_id })
      return yield* settle(failure)
    })

    return Webhooks.of({ receive })
  })

/**
 * @since 0.2.0
 * @category layers
 */
export const layer = (options: WebhooksOptions): Layer.Layer<Webhooks, never, DeliveryLedger> =>
  Layer.effect(Webhooks, make(options))

/**
 * {@link layer} with the secret from `PROPEXO_WEBHOOK_SECRET`, which must be
 * set and not empty (a `ConfigError` naming it otherwise): build it only
 * when {@link config} is `Some`.
 *
 * @since 0.2.0
 * @category layers
 */
export const layerConfig: Layer.Layer<Webhooks, ConfigError.ConfigError, DeliveryLedger> = Layer.unwrapEffect(
  Effect.map(secretConfig, (secret) => layer({ secret }))
)
