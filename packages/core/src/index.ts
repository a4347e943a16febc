/**
 * Entrata applicant events and exact US Mountain Time rules.
 *
 * @since 0.1.0
 */

/**
 * @since 0.1.0
 */
export * as ApplicantEvent from "./ApplicantEvent.js"

/**
 * @since 0.1.0
 */
export * as ApplicantEvents from "./ApplicantEvents.js"

/**
 * @since 0.1.0
 */
export * as MountainTime from "./MountainTime.js"

/**
 * @since 0.2.0
 */
export * as AdapterOptions from "./AdapterOptions.js"
