/**
 * The command's answers as Slack messages: Block Kit with a plain fallback
 * `text`, every piece of text that did not come from this module escaped
 * for mrkdwn and on one line, within Slack's limits, and never a stack
 * trace or a secret.
 */
import type { ApplicantEvent } from "@entrata-events/core/ApplicantEvent"
import type { ApplicantEventsError } from "@entrata-events/core/ApplicantEvents"
import * as MountainTime from "@entrata-events/core/MountainTime"
// Brings Propexo's errors into ApplicantEventsError (a module augmentation), which failureOf words one by one.
import type {} from "@entrata-events/propexo/PropexoError"
import type { CompletedWrite } from "@entrata-events/propexo/WriteStatus"
import type { types } from "@slack/bolt"
import * as Schema from "effect/Schema"
import { type Field, FIELD_NAMES, isEmailTypeName, keyOf } from "./fields.js"

/**
 * Who sees a message: the person who typed the command, or the channel.
 *
 * @internal
 */
export const ResponseType = Schema.Literal("ephemeral", "in_channel")

/**
 * @internal
 */
export type ResponseType = typeof ResponseType.Type

/**
 * A message for `ack()` or `respond()`.
 *
 * @internal
 */
export interface Message {
  readonly response_type: ResponseType
  /** The notification and fallback text; the whole message when there are no blocks. */
  readonly text: string
  readonly blocks?: Array<types.KnownBlock>
}

/** Slack's most characters in a section's text, and most blocks in a message. */
const SECTION_LIMIT = 3000
const BLOCK_LIMIT = 50

/**
 * Escapes text for Slack mrkdwn: `&`, `<` and `>` are all Slack gives a
 * meaning to (links, mentions, entities).
 *
 * @internal
 */
export const escape = (text: string): string => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")

/**
 * Text from elsewhere on one line: its line breaks, and the branches of a
 * tree such as Schema's `TreeFormatter` output (`└─ ["meta"]`), become
 * "; " between its parts, so that no message shows a formatter's layout.
 */
const oneLine = (text: string): string =>
  text.split(/[\r\n]+/)
    .map((line) => line.replace(/^[\s│├└─]+/u, "").trim())
    .filter((line) => line !== "")
    .join("; ")

/** Text from elsewhere, on one line and escaped. */
const plain = (text: string): string => escape(oneLine(text))

/** `code` formatting that a backtick inside cannot break out of. */
const code = (text: string): string => `\`${escape(text).replace(/`/g, "'")}\``

/** Cuts mrkdwn to `limit` characters without splitting an entity. */
const cut = (mrkdwn: string, limit: number): string =>
  mrkdwn.length <= limit ? mrkdwn : `${mrkdwn.slice(0, limit - 1).replace(/&[a-z]*$/, "")}…`

const section = (mrkdwn: string): types.SectionBlock => ({
  type: "section",
  text: { type: "mrkdwn", text: cut(mrkdwn, SECTION_LIMIT) }
})

const context = (mrkdwn: string): types.ContextBlock => ({
  type: "context",
  elements: [{ type: "mrkdwn", text: cut(mrkdwn, SECTION_LIMIT) }]
})

/** Bullet lines packed into as few sections as fit, within `room` blocks. */
const bullets = (lines: ReadonlyArray<string>, room: number): Array<types.KnownBlock> => {
  const texts: Array<string> = []
  let current = ""
  for (const line of lines) {
    const bullet = cut(`• ${line}`, SECTION_LIMIT)
    if (current !== "" && current.length + 1 + bullet.length > SECTION_LIMIT) {
      texts.push(current)
      current = ""
    }
    current = current === "" ? bullet : `${current}\n${bullet}`
  }
  if (current !== "") texts.push(current)
  if (texts.length <= room) return texts.map(section)
  return [...texts.slice(0, room - 1).map(section), section("…and more problems: fix these first.")]
}

/** How a message built from a headline, bullets and a footnote is laid out. */
const message = (
  response_type: ResponseType,
  headline: string,
  lines: ReadonlyArray<string> = [],
  footnotes: ReadonlyArray<string> = []
): Message => {
  const notes = footnotes.map(context)
  return {
    response_type,
    text: cut(headline, SECTION_LIMIT),
    blocks: [section(headline), ...bullets(lines, BLOCK_LIMIT - 1 - notes.length), ...notes]
  }
}

/**
 * `2026-11-01 01:30 MST` for `2026-11-01T01:30:00-07:00`: the wall clock
 * and the Mountain Time abbreviation of a wire date-time.
 */
const mountainLabel = (wire: string): string => {
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(?::(\d{2}))?(?:\.\d+)?(-0[67]:00)$/.exec(wire)
  if (match === null) return wire
  const [, date, time, seconds, offset] = match
  return `${date} ${time}${seconds === undefined || seconds === "00" ? "" : `:${seconds}`} ${
    offset === "-07:00" ? "MST" : "MDT"
  }`
}

/**
 * The refusal when `authorize` gives no integration.
 *
 * @internal
 */
export const refused = (command: string): Message => ({
  response_type: "ephemeral",
  text: `:no_entry: ${escape(command)} cannot record applicant events from here: ` +
    "this workspace or channel is not connected to a Propexo integration. Nothing was sent."
})

/**
 * The answer when `authorize` failed: nobody knows whether it may record.
 *
 * @internal
 */
export const authorizeFailed = (command: string): Message => ({
  response_type: "ephemeral",
  text: `:warning: Could not check whether ${
    escape(command)
  } may record applicant events from here, so nothing was sent. Try again in a moment.`
})

/**
 * The answer when the command could not run at all (its services could
 * not be started): nothing was sent.
 *
 * @internal
 */
export const unavailable = (command: string): Message => ({
  response_type: "ephemeral",
  text: `:warning: ${escape(command)} cannot record applicant events right now, so nothing was sent. ` +
    "Try again in a moment."
})

/**
 * The acknowledgement of a command that goes on to Propexo.
 *
 * @internal
 */
export const recording: Message = {
  response_type: "ephemeral",
  text: ":hourglass_flowing_sand: Recording the applicant event in Entrata… the result follows here."
}

/**
 * The grammar, naming the command as registered.
 *
 * @internal
 */
export const help = (helpText: string, command: string): Message => ({
  response_type: "ephemeral",
  text: command === "/applicant-event" ? helpText : helpText.replaceAll("/applicant-event", escape(command))
})

/**
 * Every problem with the text; nothing was sent.
 *
 * @internal
 */
export const problems = (
  command: string,
  found: ReadonlyArray<string>,
  footnotes: ReadonlyArray<string> = []
): Message =>
  message(
    "ephemeral",
    `:x: Nothing was recorded: ${found.length === 1 ? "one problem" : `${found.length} problems`} with the command.`,
    found.map(plain),
    [...footnotes, `\`${escape(command)} help\` shows how to write it.`]
  )

/**
 * Why the event type catalog is missing from a reading, as a footnote.
 *
 * @internal
 */
export const catalogUnavailable = (reason: string): string =>
  `The event type catalog could not be read (${
    plain(reason)
  }), so event type names could not be looked up; event type ids work.`

/**
 * An event Propexo accepted: what was sent, as which job, under which name.
 *
 * @internal
 */
export interface Queued {
  readonly job_id: string
  readonly sent: ApplicantEvent
  readonly typeName: string
}

/** `*Notes* for applicant `a1``: what a message is about. */
const subject = (typeName: string, event: ApplicantEvent): string =>
  `*${escape(typeName)}* for applicant ${code(event.applicant_id)}`

/**
 * Propexo accepted the event and queued it as a job; Entrata has not said
 * yet whether it records it. The event type, the applicant, the Mountain
 * Time sent and the job id.
 *
 * @internal
 */
export const queued = (
  response_type: ResponseType,
  event: Queued,
  footnotes: ReadonlyArray<string>
): Message => {
  const { job_id, sent, typeName } = event
  const headline = `:inbox_tray: Queued in Entrata (job ${escape(job_id)}): ${subject(typeName, sent)} at ${
    mountainLabel(sent.event_datetime)
  }.`
  const fields: Array<types.MrkdwnElement> = [
    {
      type: "mrkdwn",
      text: `*Event type*\n${escape(typeName)}${
        typeName === sent.event_type_id ? "" : ` (${code(sent.event_type_id)})`
      }`
    },
    { type: "mrkdwn", text: `*Applicant*\n${code(sent.applicant_id)}` },
    { type: "mrkdwn", text: `*Application*\n${code(sent.application_id)}` },
    {
      type: "mrkdwn",
      text: `*Sent as (Mountain Time)*\n${mountainLabel(sent.event_datetime)}\n${code(sent.event_datetime)}`
    },
    { type: "mrkdwn", text: `*Propexo job*\n${code(job_id)}` }
  ]
  return {
    response_type,
    text: headline,
    blocks: [
      section(headline),
      { type: "section", fields: fields.map((field) => ({ ...field, text: cut(field.text, 2000) })) },
      context("Propexo accepted the event and queued it for Entrata; whether Entrata recorded it follows here."),
      ...footnotes.map(context)
    ]
  }
}

/**
 * Entrata recorded the event: the write status says so. With
 * `PARTIAL_SUCCESS`, the PMS's messages say what it left out.
 *
 * @internal
 */
export const recorded = (
  response_type: ResponseType,
  event: Queued,
  status: Pick<CompletedWrite, "write_status" | "errors">
): Message => {
  const partly = status.write_status === "PARTIAL_SUCCESS"
  return message(
    response_type,
    `:white_check_mark: Recorded in Entrata${partly ? ", in part" : ""}: ${subject(event.typeName, event.sent)} at ${
      mountainLabel(event.sent.event_datetime)
    } (job ${escape(event.job_id)}).`,
    partly ? status.errors.map(plain) : []
  )
}

/** The key a person types for a field path of an issue, with the field's own name. */
const fieldLabel = (path: string, emailType: boolean): string => {
  const field = FIELD_NAMES.find((name): name is Field => name === path)
  if (field === undefined) return path
  const key = keyOf(field, emailType)
  return key === field ? field : `${key} (${field})`
}

const issueLines = (
  issues: ReadonlyArray<{ readonly path: string; readonly message: string }>,
  emailType: boolean
): Array<string> =>
  issues.map((issue) => issue.path === "" ? issue.message : `${fieldLabel(issue.path, emailType)}: ${issue.message}`)

interface Failure {
  readonly reason: string
  readonly details: ReadonlyArray<string>
}

/** What went wrong, in plain words; whether it may have been recorded is the error's own `ambiguous`. */
const failureOf = (error: ApplicantEventsError, emailType: boolean): Failure => {
  switch (error._tag) {
    case "InvalidApplicantEvent":
      return { reason: "Entrata would refuse this event", details: issueLines(error.issues, emailType) }
    case "PropexoBadRequest":
      return {
        reason: `Propexo refused the event (${error.code}): ${error.detail}`,
        details: issueLines(error.issues, emailType)
      }
    case "PropexoUnauthorized":
      return {
        reason: `Propexo refused this app's credentials (HTTP ${error.status}); ` +
          "an admin needs to check its Propexo token",
        details: []
      }
    case "PropexoNotFound":
      return { reason: error.message, details: [] }
    case "PropexoRateLimited":
      return {
        reason: `Propexo's quota of ${error.limit} requests is used up until ${
          mountainLabel(MountainTime.format(error.resetAt))
        }; try again after that`,
        details: []
      }
    case "PropexoUnavailable":
      return { reason: `Propexo is unavailable (${error.reason})`, details: [] }
    case "PropexoTimeout":
      return { reason: `Propexo did not answer within ${Math.round(error.timeoutMillis / 1000)} s`, details: [] }
    case "PropexoUnexpectedResponse":
      return {
        reason: `Propexo answered HTTP ${error.status} in a form this app does not understand`,
        details: [error.reason]
      }
    case "WriteFailed":
      return { reason: `Entrata refused the event (Propexo job ${error.job_id})`, details: error.errors }
    case "WriteStillPending":
      return {
        reason: `Propexo queued the event as job ${error.job_id}, but Entrata had not applied it after ${
          Math.round(error.waitedMillis / 1000)
        } s`,
        details: []
      }
  }
}

const MAY_HAVE_BEEN_RECORDED = "Check Entrata before running the command again: " +
  "Propexo cannot tell a repeat from a new event, so it may be recorded twice."

/**
 * Why a create failed in plain words, saying whether the event may have
 * been recorded anyway, as the error's `ambiguous` says.
 *
 * @internal
 */
export const failed = (
  response_type: ResponseType,
  error: ApplicantEventsError,
  event: ApplicantEvent,
  typeName: string,
  footnotes: ReadonlyArray<string>
): Message => {
  const failure = failureOf(error, isEmailTypeName(typeName))
  const what = subject(typeName, event)
  const headline = error.ambiguous
    ? `:warning: ${what} *may have been recorded*: ${plain(failure.reason)}. ${MAY_HAVE_BEEN_RECORDED}`
    : `:x: Nothing was recorded (${what}): ${plain(failure.reason)}.`
  return message(response_type, headline, failure.details.map(plain), footnotes)
}

/**
 * The event is queued, but its write status could not be followed to the
 * end (`reason`: the read failed; none: the follow-up was stopped).
 *
 * @internal
 */
export const writeStatusUnknown = (
  response_type: ResponseType,
  event: Queued,
  reason: string | undefined
): Message =>
  message(
    response_type,
    `:warning: ${subject(event.typeName, event.sent)} *may have been recorded*: it is queued in Entrata as job ${
      escape(event.job_id)
    }, but ${
      reason === undefined
        ? "this app stopped following its write status"
        : `its write status could not be read (${plain(reason)})`
    }. ${MAY_HAVE_BEEN_RECORDED}`
  )

/**
 * The answer when the work ended without an outcome (a defect, or the
 * server stopping): the event may have been recorded.
 *
 * @internal
 */
export const unknownOutcome = (response_type: ResponseType): Message =>
  message(
    response_type,
    `:warning: Something went wrong while recording the event; it *may have been recorded*. ${MAY_HAVE_BEEN_RECORDED}`
  )
