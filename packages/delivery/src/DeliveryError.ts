/**
 * What the operations on deliveries (and Propexo's webhooks about them) can
 * refuse, one class per cause, each with a message in plain words.
 *
 * @since 0.2.0
 */
import { FieldIssue } from "@entrata-events/core/ApplicantEvent"
import * as Schema from "effect/Schema"
import { DeliveryStatus } from "./Delivery.js"

/**
 * The idempotency key was already used, in the same integration, for a
 * delivery of another body. `id` is that delivery.
 *
 * @since 0.2.0
 * @category errors
 */
export class IdempotencyKeyReused extends Schema.TaggedError<IdempotencyKeyReused>()("IdempotencyKeyReused", {
  integration_id: Schema.String,
  idempotency_key: Schema.String,
  id: Schema.String
}) {
  override get message(): string {
    return `Idempotency key ${
      JSON.stringify(this.idempotency_key)
    } was already used in integration ${this.integration_id} for delivery ${this.id}, with another body`
  }
}

/**
 * No delivery has that id.
 *
 * @since 0.2.0
 * @category errors
 */
export class DeliveryNotFound extends Schema.TaggedError<DeliveryNotFound>()("DeliveryNotFound", {
  id: Schema.String
}) {
  override get message(): string {
    return `No delivery has the id ${JSON.stringify(this.id)}`
  }
}

/**
 * Only a `queued` delivery can be cancelled: this one is past that.
 *
 * @since 0.2.0
 * @category errors
 */
export class DeliveryNotCancellable extends Schema.TaggedError<DeliveryNotCancellable>()("DeliveryNotCancellable", {
  id: Schema.String,
  status: DeliveryStatus
}) {
  override get message(): string {
    return `Delivery ${this.id} is ${this.status}: only a queued delivery can be cancelled`
  }
}

/**
 * Only a `failed` or `ambiguous` delivery can be retried by an operator.
 *
 * @since 0.2.0
 * @category errors
 */
export class DeliveryNotRetryable extends Schema.TaggedError<DeliveryNotRetryable>()("DeliveryNotRetryable", {
  id: Schema.String,
  status: DeliveryStatus
}) {
  override get message(): string {
    return `Delivery ${this.id} is ${this.status}: only a failed or ambiguous delivery can be retried`
  }
}

/**
 * An option of an operation (`idempotencyKey`, `limit`, `cursor`, `status`,
 * …) breaks its rule.
 *
 * @since 0.2.0
 * @category errors
 */
export class InvalidOption extends Schema.TaggedError<InvalidOption>()("InvalidOption", {
  field: Schema.String,
  rule: Schema.String
}) {
  override get message(): string {
    return `${this.field} ${this.rule}`
  }
}

/**
 * A webhook's `propexo-signature` header is missing, is not 64 hex digits
 * (a hex HMAC-SHA256), or does not sign the body with the webhook secret.
 * Nothing in the body was read.
 *
 * @since 0.2.0
 * @category errors
 */
export class WebhookSignatureRefused extends Schema.TaggedError<WebhookSignatureRefused>()("WebhookSignatureRefused", {
  reason: Schema.Literal("missing", "malformed", "mismatch")
}) {
  override get message(): string {
    switch (this.reason) {
      case "missing":
        return "propexo-signature is required: the hex HMAC-SHA256 of the body with the webhook secret"
      case "malformed":
        return "propexo-signature must be 64 hexadecimal digits: the hex HMAC-SHA256 of the body"
      case "mismatch":
        return "propexo-signature does not match the body: it was not signed with the webhook secret"
    }
  }
}

/**
 * A correctly signed webhook whose body is not one this package reads: not
 * JSON, or a `WRITE_OPERATION_FAILURE` without the fields it needs. Each
 * issue names the field (dotted, from the body's root) and its rule.
 *
 * @since 0.2.0
 * @category errors
 */
export class InvalidWebhook extends Schema.TaggedError<InvalidWebhook>()("InvalidWebhook", {
  issues: Schema.NonEmptyArray(FieldIssue)
}) {
  override get message(): string {
    return `Invalid Propexo webhook: ${
      this.issues.map((i) => i.path === "" ? i.message : `${i.path}: ${i.message}`).join("; ")
    }`
  }
}
