/**
 * A property of a value of unknown shape, e.g. the `type` and `status`
 * body-parser and http-errors give their errors; `undefined` when absent.
 */
export const property = (value: unknown, name: string): unknown =>
  typeof value === "object" && value !== null ? Reflect.get(value, name) : undefined
