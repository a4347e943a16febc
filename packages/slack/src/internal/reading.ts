/**
 * What the command needs to know about a text beyond what `CommandText`
 * answers: whether its event type catalog could change how the text reads,
 * and which catalog names are ambiguous.
 */
import type { EventType } from "@entrata-events/propexo/PropexoApi"
import { fieldOf, normalizeKey } from "./fields.js"
import { tokenize } from "./tokens.js"

/**
 * The event type word: the first token when it is not `key=value`.
 *
 * @internal
 */
export const typeWordOf = (text: string): string | undefined => {
  const [first] = tokenize(text).tokens
  return first !== undefined && first.key === undefined ? first.value : undefined
}

/**
 * Whether reading the text with the integration's catalog could clear
 * problems found without it. Only `from` and `to` depend on the catalog
 * (phone numbers, or email addresses for event types named Email…), and only
 * when the event type is given by id: a name without digits reads the same
 * with a catalog (which either knows it, equal but for case, or refuses it).
 *
 * @internal
 */
export const catalogMayClearProblems = (text: string): boolean => {
  const { tokens } = tokenize(text)
  const [first] = tokens
  if (first !== undefined && first.key === undefined && !/\d/.test(first.value)) return false
  return tokens.some((token) => {
    if (token.key === undefined) return false
    const key = normalizeKey(token.key)
    return fieldOf(key, true) !== fieldOf(key, false)
  })
}

/**
 * The parser's catalog from Propexo's event types, and the names that stand
 * for several event types in the scope (one per property, typically), keyed
 * by lower-case name with every id they stand for.
 *
 * @internal
 */
export interface CatalogReading {
  readonly catalog: ReadonlyMap<string, string>
  /** The name of each id, as the parser reads it back. */
  readonly names: ReadonlyMap<string, string>
  readonly ambiguous: ReadonlyMap<string, ReadonlyArray<string>>
}

/**
 * Builds the name → id catalog (first of equal names wins, as in the
 * parser) and finds the ambiguous names, which the command refuses rather
 * than guess: an event type of another property fails at the PMS.
 *
 * @internal
 */
export const readCatalog = (eventTypes: ReadonlyArray<Pick<EventType, "id" | "name">>): CatalogReading => {
  const catalog = new Map<string, string>()
  const names = new Map<string, string>()
  const ids = new Map<string, Array<string>>()
  for (const { id, name } of eventTypes) {
    if (!catalog.has(name)) catalog.set(name, id)
    if (!names.has(id)) names.set(id, name)
    const lower = name.toLowerCase()
    const known = ids.get(lower)
    if (known === undefined) ids.set(lower, [id])
    else if (!known.includes(id)) known.push(id)
  }
  const ambiguous = new Map<string, ReadonlyArray<string>>()
  for (const [lower, all] of ids) {
    if (all.length > 1) ambiguous.set(lower, all)
  }
  return { catalog, names, ambiguous }
}

/**
 * The problem with a text whose event type word is an ambiguous name.
 *
 * @internal
 */
export const ambiguityOf = (text: string, reading: CatalogReading): string | undefined => {
  const word = typeWordOf(text)
  const ids = word === undefined ? undefined : reading.ambiguous.get(word.toLowerCase())
  if (word === undefined || ids === undefined) return undefined
  return `${JSON.stringify(word)} names ${ids.length} event types in this integration, one per property ` +
    `(${ids.join(", ")}): give the id of the one for the applicant's property, ` +
    `or ask an admin to tie this channel to a property`
}
