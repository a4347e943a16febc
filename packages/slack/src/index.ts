/**
 * The `/applicant-event` Slack command.
 *
 * @since 0.1.0
 */

/**
 * @since 0.1.0
 */
export * as CommandText from "./CommandText.js"

/**
 * @since 0.1.0
 */
export * as ApplicantEventCommand from "./ApplicantEventCommand.js"
