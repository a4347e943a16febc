/**
 * A faithful local simulator of Propexo's Entrata applicant-event API.
 *
 * @since 0.1.0
 */

/**
 * @since 0.1.0
 */
export * as Faults from "./Faults.js"

/**
 * @since 0.2.0
 */
export * as Records from "./Records.js"

/**
 * @since 0.1.0
 */
export * as Sandbox from "./Sandbox.js"

/**
 * @since 0.1.0
 */
export * as Seed from "./Seed.js"
