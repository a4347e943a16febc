/**
 * Splitting command text into words and `key=value` pairs, the way people
 * type them in Slack and the way Slack delivers them.
 *
 * Slack escapes `&`, `<` and `>` as `&amp;`, `&lt;` and `&gt;`, so a raw `<`
 * always opens one of its control sequences: a link `<https://…|label>`,
 * `<mailto:…|…>`, `<tel:…|…>`, or a mention `<@U…|name>`, `<#C…|name>`,
 * `<!here>`. Those are read back as what the person typed.
 */

/**
 * One word of the command: a bare word, or a `key=value` pair.
 *
 * @internal
 */
export interface Token {
  /** The key as typed, or `undefined` for a bare word. */
  readonly key: string | undefined
  /** The value with Slack's escaping undone. */
  readonly value: string
  /** Whether the value was written between quotes. */
  readonly quoted: boolean
  /** Slack mentions inside the value, as people read them (`@jane`). */
  readonly mentions: ReadonlyArray<string>
}

/** @internal */
export interface Tokenized {
  readonly tokens: ReadonlyArray<Token>
  readonly problems: ReadonlyArray<string>
}

/**
 * What ends an unquoted value, and what must follow a closing quote.
 *
 * @internal
 */
export const isSpace = (c: string | undefined): boolean => c !== undefined && /\s/.test(c)

interface QuoteFamily {
  readonly open: string
  readonly close: string
  /** Every character that closes a value opened by this family. */
  readonly closers: string
}

// Slack clients turn straight quotes into curly ones, and not always into the
// matching pair (after `=` an editor may well pick the closing form), so
// either curly quote closes a value opened by either; straight quotes pair
// only with themselves so that an apostrophe inside “…” stays text.
const FAMILIES: ReadonlyArray<QuoteFamily> = [
  { open: "\"", close: "\"", closers: "\"" },
  { open: "\u201C", close: "\u201D", closers: "\u201C\u201D" },
  { open: "'", close: "'", closers: "'" },
  { open: "\u2018", close: "\u2019", closers: "\u2018\u2019" }
]

const familyOpenedBy = (c: string | undefined): QuoteFamily | undefined =>
  c === undefined ? undefined : FAMILIES.find((f) => f.closers.includes(c))

/**
 * Where the quoted value that starts after `from` ends: the first closing
 * quote followed by white space or the end of the text, so that quotes and
 * apostrophes inside a value (`notes='it's done'`) are text.
 */
const closingQuote = (text: string, from: number, family: QuoteFamily): number => {
  for (let i = from; i < text.length; i++) {
    if (family.closers.includes(text[i]!) && (i + 1 === text.length || isSpace(text[i + 1]))) return i
  }
  return -1
}

/**
 * The end of an unquoted run starting at `from`; a `<…>` sequence never
 * splits. `lastClose` is the text's last `>`: a `<` after it is plain text,
 * which keeps a text of many `<` linear.
 */
const unquotedEnd = (text: string, from: number, stopAtEquals: boolean, lastClose: number): number => {
  let i = from
  while (i < text.length) {
    const c = text[i]!
    if (isSpace(c) || (stopAtEquals && c === "=")) return i
    if (c === "<" && i < lastClose) {
      i = text.indexOf(">", i + 1) + 1
    } else {
      i++
    }
  }
  return i
}

const ENTITIES: Readonly<Record<string, string>> = { amp: "&", lt: "<", gt: ">" }
const decodeEntities = (s: string): string => s.replace(/&(amp|lt|gt);/g, (_, name: string) => ENTITIES[name]!)

/**
 * The value a person typed, from the value Slack delivered: entities
 * decoded, links read as their address, mentions as their readable name.
 */
const unescapeSlack = (raw: string): { readonly text: string; readonly mentions: ReadonlyArray<string> } => {
  const mentions: Array<string> = []
  const text = raw.replace(/<([^<>]*)>|&(amp|lt|gt);/g, (_, inner: string | undefined, entity: string | undefined) => {
    if (inner === undefined) return ENTITIES[entity!]!
    const bar = inner.indexOf("|")
    const target = decodeEntities(bar === -1 ? inner : inner.slice(0, bar))
    const label = bar === -1 ? undefined : decodeEntities(inner.slice(bar + 1))
    if (/^https?:\/\//i.test(target)) return target
    if (/^mailto:/i.test(target)) return target.slice("mailto:".length)
    if (/^tel:/i.test(target)) return target.slice("tel:".length)
    const sigil = target[0]
    if (sigil === "@" || sigil === "#" || sigil === "!") {
      // `<!here>`, `<!subteam^S1|@team>`, `<!date^…|Feb 18>`: the label is the display text.
      const readable = label === undefined
        ? sigil === "!" ? `@${target.slice(1).split("^")[0]}` : target
        : sigil === "!" || label.startsWith(sigil)
        ? label
        : `${sigil}${label}`
      mentions.push(readable)
      return readable
    }
    return label ?? target
  })
  return { text, mentions }
}

const describeKey = (key: string | undefined): string => key === undefined ? "" : ` after ${key}=`

/**
 * Splits command text into tokens. Never throws; an unclosed quote is a
 * problem and takes the rest of the text as its value.
 *
 * @internal
 */
export const tokenize = (text: string): Tokenized => {
  const tokens: Array<Token> = []
  const problems: Array<string> = []
  const lastClose = text.lastIndexOf(">")
  const push = (key: string | undefined, raw: string, quoted: boolean) => {
    const { mentions, text } = unescapeSlack(raw)
    tokens.push({ key, value: text, quoted, mentions })
  }
  let i = 0
  while (i < text.length) {
    if (isSpace(text[i])) {
      i++
      continue
    }
    let key: string | undefined
    if (familyOpenedBy(text[i]) === undefined) {
      const end = unquotedEnd(text, i, true, lastClose)
      if (text[end] === "=") {
        key = text.slice(i, end)
        i = end + 1
      } else {
        push(undefined, text.slice(i, end), false)
        i = end
        continue
      }
    }
    const family = familyOpenedBy(text[i])
    if (family === undefined) {
      const end = unquotedEnd(text, i, false, lastClose)
      push(key, text.slice(i, end), false)
      i = end
      continue
    }
    const close = closingQuote(text, i + 1, family)
    if (close === -1) {
      problems.push(
        `the quote ${text[i]}${describeKey(key)} is never closed ` +
          `(a closing quote ends a value only before a space or at the end)`
      )
      push(key, text.slice(i + 1), true)
      break
    }
    push(key, text.slice(i + 1, close), true)
    i = close + 1
  }
  return { tokens, problems }
}

const escapeSlack = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")

const fitsIn = (value: string, family: QuoteFamily): boolean => {
  for (let i = 0; i + 1 < value.length; i++) {
    if (family.closers.includes(value[i]!) && isSpace(value[i + 1])) return false
  }
  return true
}

/**
 * A value as command text that {@link tokenize} reads back as `value`:
 * Slack's three characters escaped, quoted when it is empty, has white
 * space, starts with a quote, or when `alwaysQuote` (a bare word that must
 * not read as `key=value` or `help`). The first quote family that can hold
 * it is used; a value that none can hold (each of `"`, `'`, `”` and `’`
 * followed by white space inside it) comes out in straight quotes and does
 * not read back whole.
 *
 * @internal
 */
export const renderValue = (value: string, alwaysQuote: boolean): string => {
  const escaped = escapeSlack(value)
  const plain = !alwaysQuote && escaped !== "" && !/\s/.test(escaped) &&
    familyOpenedBy(escaped[0]) === undefined
  if (plain) return escaped
  const family = FAMILIES.find((f) => fitsIn(escaped, f)) ?? FAMILIES[0]!
  return `${family.open}${escaped}${family.close}`
}
