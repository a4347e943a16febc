/**
 * Durable delivery of Entrata applicant events through Propexo: a ledger on
 * `@effect/sql` (SQLite embedded), a paced deliverer, batched confirmation;
 * never lost, and never sent twice silently.
 *
 * @since 0.2.0
 */

/**
 * @since 0.2.0
 */
export * as Delivery from "./Delivery.js"

/**
 * @since 0.2.0
 */
export * as DeliveryError from "./DeliveryError.js"

/**
 * @since 0.2.0
 */
export * as DeliveryStore from "./DeliveryStore.js"

/**
 * @since 0.2.0
 */
export * as DeliveryLedger from "./DeliveryLedger.js"

/**
 * @since 0.2.0
 */
export * as Deliveries from "./Deliveries.js"

/**
 * @since 0.2.0
 */
export * as Deliverer from "./Deliverer.js"

/**
 * @since 0.2.0
 */
export * as Webhooks from "./Webhooks.js"
