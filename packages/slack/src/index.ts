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

/**
 * The command's registration and its Bolt app, also at the top level, as
 * `createApplicantEventsRouter` is in `@entrata-events/express`.
 *
 * @since 0.2.0
 */
export { InvalidOptions, makeExpressApp, registerApplicantEventCommand } from "./ApplicantEventCommand.js"
