/**
 * The router's own reasons to refuse a request, before anything reaches
 * the `ApplicantEvents` service.
 */
import * as Schema from "effect/Schema"

/**
 * One problem with one part of the request: a field of the event (dotted
 * path, empty for the event as a whole) or a query parameter (`?await`).
 * `candidates` lists the instants a wall-clock time could mean.
 */
export const Issue = Schema.Struct({
  path: Schema.String,
  message: Schema.String,
  candidates: Schema.optionalWith(Schema.Array(Schema.String), { exact: true })
})

export interface Issue extends Schema.Schema.Type<typeof Issue> {}

/** A body the router cannot read as JSON. */
export class BodyRejected extends Schema.TaggedError<BodyRejected>()("BodyRejected", {
  reason: Schema.Literal("missing", "malformed", "too-large", "unsupported-media-type", "unsupported-encoding"),
  detail: Schema.String
}) {
  override get message(): string {
    return this.detail
  }
}

/** A request whose event or query is invalid, with every problem at once. */
export class InvalidInput extends Schema.TaggedError<InvalidInput>()("InvalidInput", {
  issues: Schema.NonEmptyArray(Issue)
}) {
  override get message(): string {
    return `Invalid input: ${this.issues.map((i) => i.path === "" ? i.message : `${i.path}: ${i.message}`).join("; ")}`
  }
}

/** An event for an integration the caller may not write to. */
export class IntegrationNotAllowed extends Schema.TaggedError<IntegrationNotAllowed>()("IntegrationNotAllowed", {
  integration_id: Schema.String
}) {
  override get message(): string {
    return `The caller may not write events for integration ${this.integration_id}`
  }
}

/** A job id that cannot be one of Propexo's. */
export class JobNotFound extends Schema.TaggedError<JobNotFound>()("JobNotFound", {}) {
  override get message(): string {
    return "No such write job"
  }
}

/** A method the route does not answer. */
export class MethodNotAllowed extends Schema.TaggedError<MethodNotAllowed>()("MethodNotAllowed", {
  allow: Schema.String
}) {
  override get message(): string {
    return `Only ${this.allow} here`
  }
}
