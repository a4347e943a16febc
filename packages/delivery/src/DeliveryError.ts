/**
 * What the operations on deliveries can refuse, one class per cause, each
 * with a message in plain words.
 *
 * @since 0.2.0
 */
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
