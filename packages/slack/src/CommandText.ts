/**
 * The text of the `/applicant-event` Slack command: its grammar, read into
 * a validated Entrata applicant event or into every problem in plain words,
 * and written back from an event.
 *
 * ```text
 * /applicant-event help
 * /applicant-event <event type> applicant=<id> application=<id> at=<when> [field=value …]
 * ```
 *
 * {@link HELP_TEXT} is the full grammar, as the command's own help answer.
 *
 * @since 0.1.0
 */
import * as ApplicantEvent from "@entrata-events/core/ApplicantEvent"
import * as MountainTime from "@entrata-events/core/MountainTime"
import * as Arr from "effect/Array"
import * as Data from "effect/Data"
import * as DateTime from "effect/DateTime"
import * as Either from "effect/Either"
import {
  FIELD_NAMES,
  type Field,
  fieldOf,
  isEmailTypeName,
  KEYS,
  keyOf,
  KINDS,
  normalizeKey,
  parseDuration,
  parseFlag,
  parseStatus,
  statusName
} from "./internal/fields.js"
import { closest } from "./internal/suggest.js"
import { renderValue, type Token, tokenize } from "./internal/tokens.js"
import { continuesWhen, readTimeOfDay, readWhen } from "./internal/when.js"

/**
 * What a command's text asks for: the help, a valid event, or every
 * problem with it in plain words (plain text: escape `&`, `<` and `>` before
 * posting it as mrkdwn).
 *
 * @since 0.1.0
 * @category models
 */
export type ParsedCommand = Data.TaggedEnum<{
  Help: {}
  Event: { readonly event: ApplicantEvent.ApplicantEvent }
  Problems: { readonly problems: Arr.NonEmptyReadonlyArray<string> }
}>

/**
 * Constructors, `$is` and `$match` for {@link ParsedCommand}.
 *
 * @since 0.1.0
 * @category constructors
 */
export const ParsedCommand = Data.taggedEnum<ParsedCommand>()

/**
 * Event type names and their Propexo ids (`Call-Outgoing` → `cm4…`), as a
 * `Map` or a plain object. Names are matched ignoring case; of two names
 * equal but for case, the first wins.
 *
 * @since 0.1.0
 * @category models
 */
export type Catalog = ReadonlyMap<string, string> | { readonly [name: string]: string }

/**
 * @since 0.1.0
 * @category models
 */
export interface ParseOptions {
  /** The Propexo integration the Slack workspace is connected to; never typed by the person. */
  readonly integrationId: string
  /** The instant `now`, `today`, `yesterday` and `tomorrow` refer to. */
  readonly now: MountainTime.Instant
  /** The IANA zone wall-clock times are read in; default `America/Denver`. */
  readonly timeZone?: string | undefined
  /** Event type names the command may use instead of ids. */
  readonly catalog?: Catalog | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface RenderOptions {
  /** Writes the event type by its name when the catalog has one. */
  readonly catalog?: Catalog | undefined
}

/**
 * The command's help answer, Slack mrkdwn: the whole grammar with examples.
 * Times without a zone are described as Mountain Time, the default zone.
 *
 * @since 0.1.0
 * @category constants
 */
export const HELP_TEXT = `*Record an applicant event in Entrata*
\`/applicant-event &lt;event type&gt; applicant=&lt;id&gt; application=&lt;id&gt; at=&lt;when&gt; [field=value …]\`
\`/applicant-event help\` (or nothing at all) shows this message.

*Event type*: a name from the event type catalog such as \`Call-Outgoing\` (any case), or a Propexo event type id. \`event_type_id=&lt;id&gt;\` instead gives an id exactly as written.

*Values*: write \`field=value\`. Quote a value that has spaces, with straight or curly quotes: \`notes="Left a voicemail"\`. A closing quote must be followed by a space or end the command, so quotes and apostrophes inside a value are fine. Field names ignore case, and \`-\` works for \`_\`.

*When* (\`at\`, \`appointment\`) is read in Mountain Time (America/Denver):
• \`now\`
• \`today 14:30\`, \`yesterday 9am\`, \`tomorrow 2:15pm\`, or just \`2:30pm\` for today
• \`2026-11-28 14:30\`, \`11/28 2:30pm\` (this year), \`11/28/2026 noon\`, \`11/28/26 midnight\`
• a zone after the time picks the offset: \`MDT\`, \`MST\`, \`Z\` or \`-07:00\`; or a full ISO time \`2026-11-28T14:30:00-07:00\`
A date and time need no quotes: \`at=today 2:30 pm\` works. In early November 1:00–2:00 happens twice: add \`MDT\` for the first, \`MST\` for the second. A time the clocks skip in March is refused.

*Fields* (any Propexo field name works too, e.g. \`call_phone_number_from\`):
• \`applicant\`, \`application\` (both required), \`result\`, \`subtype\`, \`employee\`, \`unit\`: Propexo ids
• \`notes\` (at most 256 characters), \`title\`, \`reasons\`
• calls: \`from\`, \`to\` (phone numbers such as \`+14035551234\` or \`403-555-1234\`), \`status\` (answered, no-answer, voicemail, busy, abandoned, disconnected, failed, or Entrata's names such as NO_ANSWER), \`duration\` (seconds: \`300\`, \`90s\`, \`5m\`, \`1h2m3s\`, \`2:05\`), \`audio\` (a link)
• emails: \`subject\`, \`body\`, \`cc\`, \`bcc\`, \`send\` (yes or no). When the event type's name starts with Email, \`from\` and \`to\` are email addresses; otherwise write \`email_from\` and \`email_to\`
• \`time_from\`, \`time_to\`: times of day such as \`9:30am\` or \`17:00\`

*Examples*
\`/applicant-event Call-Outgoing applicant=a1b2c3 application=d4e5f6 at=today 2:30pm from=+14035551234 to=403-555-9876 status=answered duration=5m audio=https://calls.example.com/r/1.mp3\`
\`/applicant-event Email-Outgoing applicant=a1b2c3 application=d4e5f6 at=now from=leasing@example.com subject="Your tour on Friday" send=no\`
\`/applicant-event Notes applicant=a1b2c3 application=d4e5f6 at="11/28 9am" notes="Asked about parking"\``

interface CatalogEntry {
  readonly name: string
  readonly id: string
}

interface Lookup {
  readonly byName: ReadonlyMap<string, CatalogEntry>
  readonly nameOfId: ReadonlyMap<string, string>
  readonly names: ReadonlyArray<string>
  readonly ids: ReadonlySet<string>
}

const lookupOf = (catalog: Catalog): Lookup => {
  const entries: Iterable<readonly [string, string]> = catalog instanceof Map
    ? catalog.entries()
    : Object.entries(catalog)
  const byName = new Map<string, CatalogEntry>()
  const nameOfId = new Map<string, string>()
  const names: Array<string> = []
  for (const [name, id] of entries) {
    const lower = name.toLowerCase()
    if (byName.has(lower)) continue
    byName.set(lower, { name, id })
    if (!nameOfId.has(id)) nameOfId.set(id, name)
    names.push(name)
  }
  return { byName, nameOfId, names, ids: new Set(nameOfId.keys()) }
}

/** The name that decides what `from`/`to` mean: the catalog's, else the id itself. */
const typeName = (id: string, lookup: Lookup | undefined): string => lookup?.nameOfId.get(id) ?? id

/**
 * The event type id a word names: a catalog name (any case), a catalog id,
 * or, when there is no catalog or the word has a digit as ids do, the word
 * itself.
 */
const resolveEventType = (word: string, lookup: Lookup | undefined): Either.Either<string, string> => {
  if (lookup === undefined) return Either.right(word)
  const entry = lookup.byName.get(word.toLowerCase())
  if (entry !== undefined) return Either.right(entry.id)
  if (lookup.ids.has(word) || /\d/.test(word)) return Either.right(word)
  if (lookup.names.length === 0) {
    return Either.left(`unknown event type ${JSON.stringify(word)}: the event type catalog is empty, so give its id`)
  }
  const suggestion = closest(word, lookup.names)
  return Either.left(
    `unknown event type ${JSON.stringify(word)}${suggestion === undefined ? "" : `; did you mean ${suggestion}?`} ` +
      `Known event types: ${lookup.names.join(", ")}`
  )
}

const isHelp = (token: Token): boolean =>
  token.key === undefined && !token.quoted && token.value.toLowerCase() === "help"

// Instants whose year has four digits: what the wire form can carry.
const EARLIEST = -62_167_219_200_000
const LATEST = 253_402_300_799_999

const epochMillisOf = (instant: MountainTime.Instant): number =>
  typeof instant === "number"
    ? instant
    : instant instanceof Date
    ? instant.getTime()
    : DateTime.toEpochMillis(instant)

interface Clock {
  readonly now: number
  readonly timeZone: string
}

const clockOf = (options: ParseOptions): Either.Either<Clock, ReadonlyArray<string>> => {
  const timeZone = options.timeZone ?? MountainTime.TIME_ZONE
  const now = epochMillisOf(options.now)
  const problems: Array<string> = []
  const zone = MountainTime.validateTimeZone(timeZone)
  if (Either.isLeft(zone)) problems.push(zone.left.message)
  if (!(now >= EARLIEST && now <= LATEST)) problems.push(`now (${String(now)}) is not an instant from year 0 to 9999`)
  return problems.length === 0 ? Either.right({ now, timeZone }) : Either.left(problems)
}

/** The required fields people type, and what to say when one is missing. */
const REQUIRED: ReadonlyArray<readonly [Field, string]> = [
  [
    "event_type_id",
    "the event type is missing: start with it, e.g. /applicant-event Call-Outgoing applicant=… (or give event_type_id=…)"
  ],
  ["applicant_id", "applicant is missing: add applicant=ID, the Propexo applicant id"],
  ["application_id", "application is missing: add application=ID, the Propexo application id"],
  ["event_datetime", "at is missing: add when it happened, e.g. at=now or at=\"today 2:30pm\""]
]

/** How problems name the event type written as the first word. */
const TYPE_WORD = "event type"

interface Entry {
  readonly key: string
  readonly value: string
  readonly quoted: boolean
  readonly mentions: ReadonlyArray<string>
}

const isTimeField = (key: string): boolean => {
  const field = fieldOf(normalizeKey(key), false)
  return field !== undefined && (KINDS[field] === "when" || KINDS[field] === "time")
}

/**
 * Groups tokens, in order, into the event type word, `key=value` entries (a
 * date followed by unquoted time words takes them) and problems for stray
 * words.
 */
const entriesOf = (tokens: ReadonlyArray<Token>) => {
  const [first] = tokens
  const typeWord = first !== undefined && first.key === undefined ? first : undefined
  const items: Array<Entry | string> = []
  let previous: Entry | undefined
  let strays: Array<Token> = []
  const flush = () => {
    if (strays.length === 0) return
    const words = strays.map((token) => token.value).join(" ")
    items.push(
      previous !== undefined && !previous.quoted && strays.every((token) => !token.quoted)
        ? `${JSON.stringify(words)} is not key=value; to give ${previous.key} several words, quote them: ` +
          `${previous.key}="${previous.value} ${words}"`
        : `${JSON.stringify(words)} is not key=value; write field=value (see /applicant-event help)`
    )
    strays = []
  }
  for (let i = typeWord === undefined ? 0 : 1; i < tokens.length; i++) {
    const token = tokens[i]!
    if (token.key === undefined) {
      strays.push(token)
      continue
    }
    flush()
    let value = token.value
    if (!token.quoted && isTimeField(token.key)) {
      for (let next = tokens[i + 1]; next !== undefined; next = tokens[i + 1]) {
        if (next.key !== undefined || next.quoted || !continuesWhen(next.value)) break
        value = `${value} ${next.value}`
        i++
      }
    }
    previous = { key: token.key, value, quoted: token.quoted, mentions: token.mentions }
    items.push(previous)
  }
  flush()
  return { typeWord, items }
}

/**
 * Reads the text of an `/applicant-event` command (what Slack sends as
 * `text`, with its escaping) into the help, a validated event ready for
 * `ApplicantEvents.create`, or every problem at once: grammar problems and
 * the core's validation of the resulting event, each naming the key as it
 * was typed. Never throws, whatever the text.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseCommandText = (text: string, options: ParseOptions): ParsedCommand => {
  const tokenized = tokenize(text)
  const [first] = tokenized.tokens
  if (first === undefined ? tokenized.problems.length === 0 : isHelp(first)) return ParsedCommand.Help()

  const problems: Array<string> = [...tokenized.problems]
  const clock = clockOf(options)
  if (Either.isLeft(clock)) problems.push(...clock.left)
  const lookup = options.catalog === undefined ? undefined : lookupOf(options.catalog)
  const { items, typeWord } = entriesOf(tokenized.tokens)

  const input: Record<string, unknown> = { integration_id: options.integrationId }
  // Fields the person typed, by the key they used; `failed` ones already have a problem.
  const typed = new Map<string, string>()
  const failed = new Set<string>()

  let name = ""
  if (typeWord !== undefined) {
    typed.set("event_type_id", TYPE_WORD)
    const resolved = resolveEventType(typeWord.value, lookup)
    if (Either.isRight(resolved)) {
      input.event_type_id = resolved.right
      name = typeName(resolved.right, lookup)
    } else {
      problems.push(resolved.left)
      failed.add("event_type_id")
      name = typeWord.value
    }
  } else {
    const byKey = items.find((item): item is Entry =>
      typeof item !== "string" && fieldOf(normalizeKey(item.key), false) === "event_type_id"
    )
    if (byKey !== undefined) name = typeName(byKey.value, lookup)
  }
  const emailType = isEmailTypeName(name)

  for (const entry of items) {
    if (typeof entry === "string") {
      problems.push(entry)
      continue
    }
    const normalized = normalizeKey(entry.key)
    const field = fieldOf(normalized, emailType)
    if (field === undefined) {
      problems.push(
        entry.key === ""
          ? `=${entry.value} has no key before the =`
          : normalized === "integration_id"
          ? "integration_id comes from the workspace's Propexo connection and cannot be typed"
          : `unknown key ${JSON.stringify(entry.key)}; did you mean ${closest(entry.key, KEYS)}?`
      )
      continue
    }
    const before = typed.get(field)
    if (before !== undefined) {
      problems.push(
        before === TYPE_WORD
          ? `${entry.key}= repeats the event type given first; give it once`
          : normalizeKey(before) === normalized
          ? `${entry.key} is given twice`
          : `${entry.key} and ${before} are the same field (${field}); give it once`
      )
      failed.add(field)
      continue
    }
    typed.set(field, entry.key)
    const value = valueOf(field, entry, clock)
    if (Either.isRight(value)) {
      input[field] = value.right
    } else {
      problems.push(...value.left)
      failed.add(field)
    }
  }

  for (const [field, message] of REQUIRED) {
    if (!typed.has(field)) {
      problems.push(message)
      failed.add(field)
    }
  }

  const decoded = ApplicantEvent.decode(input)
  if (Either.isLeft(decoded)) {
    for (const issue of decoded.left.issues) {
      if (failed.has(issue.path)) continue
      const key = issue.path === "integration_id"
        ? "integration_id (from the workspace's Propexo connection)"
        : typed.get(issue.path) ?? issue.path
      problems.push(key === "" ? issue.message : `${key}: ${issue.message}`)
    }
  }
  if (Arr.isNonEmptyReadonlyArray(problems)) return ParsedCommand.Problems({ problems })
  return Either.match(decoded, {
    onLeft: (error) => ParsedCommand.Problems({ problems: [error.message] }),
    onRight: (event) => ParsedCommand.Event({ event })
  })
}

/**
 * The value of one field as the core's input takes it, or its problems
 * (none when the clock's own problem already covers it).
 */
const valueOf = (
  field: Field,
  entry: Entry,
  clock: Either.Either<Clock, ReadonlyArray<string>>
): Either.Either<unknown, ReadonlyArray<string>> => {
  const shown = `${entry.key}=${JSON.stringify(entry.value)}`
  const because = (reason: string) => [`${shown} ${reason}`]
  if (!entry.quoted && entry.value === "") {
    return Either.left([`${entry.key}= has no value (write ${entry.key}="" for an empty one)`])
  }
  switch (KINDS[field]) {
    case "id": {
      const [mention] = entry.mentions
      return mention === undefined
        ? Either.right(entry.value)
        : Either.left([`${entry.key}: ${mention} is a Slack mention, not a Propexo id`])
    }
    case "when":
      return Either.isLeft(clock) ? Either.left([]) : Either.mapBoth(
        readWhen(entry.value, { key: entry.key, now: clock.right.now, timeZone: clock.right.timeZone }),
        { onLeft: Arr.of, onRight: (ms) => MountainTime.format(ms) }
      )
    case "time":
      return Either.mapLeft(readTimeOfDay(entry.value, entry.key), Arr.of)
    case "status":
      return Either.mapLeft(parseStatus(entry.value), because)
    case "duration":
      return Either.mapLeft(parseDuration(entry.value), because)
    case "flag":
      return Either.mapLeft(parseFlag(entry.value), because)
    default:
      return Either.right(entry.value)
  }
}

/**
 * The command text (as Slack would send it, `&`, `<` and `>` escaped) that
 * {@link parseCommandText} reads back as `event`, given the same catalog and
 * `integrationId: event.integration_id`. Date-times are written in their
 * exact wire form, so the text reads back the same in any zone and at any
 * `now`. The only text it cannot carry whole is a value holding each of
 * `"`, `'`, `”` and `’` followed by white space.
 *
 * @since 0.1.0
 * @category rendering
 */
export const renderCommandText = (event: ApplicantEvent.ApplicantEvent, options?: RenderOptions): string => {
  const lookup = options?.catalog === undefined ? undefined : lookupOf(options.catalog)
  const id = event.event_type_id
  const emailType = isEmailTypeName(typeName(id, lookup))
  const name = lookup?.nameOfId.get(id)
  const word = [name, id].find((candidate) => {
    if (candidate === undefined) return false
    const resolved = resolveEventType(candidate, lookup)
    return Either.isRight(resolved) && resolved.right === id
  })
  const parts = [
    word === undefined
      ? `event_type_id=${renderValue(id, false)}`
      : renderValue(word, word.includes("=") || word.toLowerCase() === "help")
  ]
  for (const field of FIELD_NAMES) {
    const value = renderField(event, field)
    if (value !== undefined) parts.push(`${keyOf(field, emailType)}=${value}`)
  }
  return parts.join(" ")
}

const renderField = (event: ApplicantEvent.ApplicantEvent, field: Field): string | undefined => {
  switch (field) {
    case "event_type_id":
      return undefined
    case "call_duration":
      return event.call_duration === undefined ? undefined : String(event.call_duration)
    case "call_status":
      return event.call_status === undefined ? undefined : statusName(event.call_status)
    case "email_send":
      return event.email_send === undefined ? undefined : event.email_send ? "yes" : "no"
    default: {
      const value = event[field]
      return value === undefined ? undefined : renderValue(value, false)
    }
  }
}
