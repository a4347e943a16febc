import * as Arr from "effect/Array"
import * as ConfigError from "effect/ConfigError"
import * as ParseResult from "effect/ParseResult"

const invalid = (issue: ParseResult.ArrayFormatterIssue): ConfigError.ConfigError =>
  ConfigError.InvalidData(issue.path.map(String), issue.message)

/**
 * Options refused by their schema, as the `ConfigError` the environment's
 * configuration fails with: one `InvalidData` per issue, at the field's
 * path (`http.headersTimeout`).
 *
 * @internal
 */
export const fromParseError = (error: ParseResult.ParseError): ConfigError.ConfigError =>
  Arr.match(ParseResult.ArrayFormatter.formatErrorSync(error), {
    // The formatter finds at least one issue in every error.
    onEmpty: () => ConfigError.InvalidData([], error.message),
    onNonEmpty: (issues) => {
      const [first, ...rest] = Arr.map(issues, invalid)
      return rest.reduce(ConfigError.And, first)
    }
  })

/**
 * Every leaf of a `ConfigError` tree as `VARIABLE: what is wrong` (the
 * field's path, dotted, for options made in code).
 *
 * @internal
 */
export const describe = (error: ConfigError.ConfigError): Array<string> => {
  switch (error._op) {
    case "And":
    case "Or":
      return [...describe(error.left), ...describe(error.right)]
    case "InvalidData":
    case "MissingData":
    case "SourceUnavailable":
    case "Unsupported":
      return [`${error.path.join(".")}: ${error.message}`]
  }
}
