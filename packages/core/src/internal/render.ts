/**
 * Received values, rendered for error messages in bounded time and space.
 */
import * as DateTime from "effect/DateTime"

/** The most characters of a rendering, before the `…` that marks a cut. */
const MAX_LENGTH = 80

/** Arrays and objects nested deeper render as `[…]` and `{…}`. */
const MAX_DEPTH = 3

const isHighSurrogate = (code: number): boolean => code >= 0xd800 && code <= 0xdbff

/** At most `max` UTF-16 units of `text`, never half of a surrogate pair. */
const cut = (text: string, max: number): string =>
  text.length <= max ? text : text.slice(0, isHighSurrogate(text.charCodeAt(max - 1)) ? max - 1 : max)

/** Text that stops growing at `MAX_LENGTH` characters. */
interface Out {
  text: string
  full: boolean
}

const add = (out: Out, text: string): void => {
  if (out.full) return
  const room = MAX_LENGTH - out.text.length
  if (text.length <= room) {
    out.text += text
  } else {
    out.text += cut(text, room)
    out.full = true
  }
}

const instant = (u: Date | DateTime.DateTime): string =>
  u instanceof Date
    ? Number.isNaN(Date.prototype.getTime.call(u)) ? "an invalid Date" : Date.prototype.toISOString.call(u)
    : DateTime.isZoned(u)
    ? DateTime.formatIsoZoned(u)
    : DateTime.formatIso(u)

const ACCESSOR = Symbol("accessor")

/** An own data property's value, read without running a getter. */
const own = (o: object, key: string | number): unknown => {
  const descriptor = Object.getOwnPropertyDescriptor(o, key)
  return descriptor === undefined ? undefined : "value" in descriptor ? descriptor.value : ACCESSOR
}

const write = (out: Out, u: unknown, depth: number): void => {
  switch (typeof u) {
    case "string":
      // Only the part that can show is escaped, however long the text.
      return add(out, JSON.stringify(cut(u, MAX_LENGTH)))
    case "number":
      return add(out, Number.isFinite(u) ? JSON.stringify(u) : String(u))
    case "bigint":
      return add(out, `${u}n`)
    case "boolean":
    case "undefined":
      return add(out, String(u))
    case "symbol":
      return add(out, u === ACCESSOR ? "(getter)" : String(u))
    case "function":
      return add(out, "(function)")
  }
  if (u === null) return add(out, "null")
  if (u instanceof Date || DateTime.isDateTime(u)) return add(out, JSON.stringify(instant(u)))
  if (ArrayBuffer.isView(u)) return add(out, "(binary data)")
  if (Array.isArray(u)) {
    if (u.length === 0) return add(out, "[]")
    if (depth >= MAX_DEPTH) return add(out, "[…]")
    add(out, "[")
    for (let i = 0; i < u.length && !out.full; i++) {
      if (i > 0) add(out, ",")
      write(out, own(u, i), depth + 1)
    }
    return add(out, "]")
  }
  add(out, "{")
  let first = true
  // for…in stops as soon as the text is full, unlike Object.keys.
  for (const key in u) {
    if (out.full) break
    if (!Object.hasOwn(u, key)) continue
    if (depth >= MAX_DEPTH) {
      add(out, "…")
      break
    }
    if (!first) add(out, ",")
    first = false
    add(out, `${JSON.stringify(cut(key, MAX_LENGTH))}:`)
    write(out, own(u, key), depth + 1)
  }
  add(out, "}")
}

/**
 * A received value as an error message shows it: strings and structures in
 * JSON's notation, `NaN` and `Infinity` as themselves, a `Date` or effect
 * `DateTime` in ISO 8601, `undefined` as "nothing". At most 80 characters
 * (a cut ends in `…`) and three levels of nesting, and none of the value's
 * own code runs (no `toJSON`, `toString` or getter), so a cyclic, hostile or
 * enormous value costs no more than a small one.
 *
 * @internal
 */
export const render = (u: unknown): string => {
  try {
    if (u === undefined) return "nothing"
    if (typeof u === "string") {
      return u.length > MAX_LENGTH ? `${JSON.stringify(cut(u, MAX_LENGTH))}…` : JSON.stringify(u)
    }
    if (u instanceof Date || DateTime.isDateTime(u)) return instant(u)
    const out: Out = { text: "", full: false }
    write(out, u, 0)
    return out.full ? `${out.text}…` : out.text
  } catch {
    // A proxy whose traps throw, for one.
    return "a value that cannot be shown"
  }
}
