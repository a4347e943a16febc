/**
 * Propexo's API for Entrata applicant events.
 *
 * @since 0.1.0
 */

/**
 * @since 0.1.0
 */
export * as PropexoApi from "./PropexoApi.js"
