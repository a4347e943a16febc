/**
 * The runnable entrata-events service.
 *
 * @since 0.1.0
 */

/**
 * @since 0.1.0
 */
export * as Server from "./Server.js"

/**
 * @since 0.1.0
 */
export * as ServerConfig from "./ServerConfig.js"
