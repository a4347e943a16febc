/**
 * An Express 5 router for Entrata applicant events.
 *
 * @since 0.1.0
 */

/**
 * @since 0.1.0
 */
export * as ApplicantEventsRouter from "./ApplicantEventsRouter.js"

/**
 * @since 0.2.0
 */
export * as Fallback from "./Fallback.js"

/**
 * @since 0.2.0
 */
export * as JobOwners from "./JobOwners.js"

/**
 * The router's constructor and refusals, also at the top level, as Express
 * code usually imports them (`InvalidOptions` since 0.2.0).
 *
 * @since 0.1.0
 */
export { createApplicantEventsRouter, Forbidden, InvalidOptions, Unauthorized } from "./ApplicantEventsRouter.js"
