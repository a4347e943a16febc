/**
 * Propexo's API for Entrata applicant events.
 *
 * @since 0.1.0
 */

/**
 * @since 0.1.0
 */
export * as PropexoApi from "./PropexoApi.js"

/**
 * @since 0.2.0
 */
export * as PropexoApiError from "./PropexoApiError.js"

/**
 * @since 0.2.0
 */
export * as Records from "./Records.js"

/**
 * @since 0.1.0
 */
export * as PropexoConfig from "./PropexoConfig.js"

/**
 * @since 0.1.0
 */
export * as PropexoError from "./PropexoError.js"

/**
 * @since 0.1.0
 */
export * as PropexoClient from "./PropexoClient.js"

/**
 * @since 0.1.0
 */
export * as EventTypeCatalog from "./EventTypeCatalog.js"

/**
 * @since 0.1.0
 */
export * as WriteStatus from "./WriteStatus.js"

/**
 * @since 0.1.0
 */
export * as ApplicantEventsLive from "./ApplicantEventsLive.js"
