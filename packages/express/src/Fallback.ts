/**
 * Problem documents for what no route of an app answers, so that a host
 * never shows Express's or Node's own HTML and plain-text pages: a 404 for
 * an unknown path, a 400 for a malformed URL or body, a 405 for another
 * method, and answers to requests Node's HTTP parser refuses or times out.
 *
 * ```ts
 * app.route("/healthz").get(health).all(Fallback.methodNotAllowed("GET, HEAD"))
 * app.use(Fallback.notFound, Fallback.handleError) // last
 * server.on("clientError", Fallback.onClientError)
 * ```
 *
 * @since 0.2.0
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import type { ErrorRequestHandler, Request, RequestHandler, Response } from "express"
import { randomUUID } from "node:crypto"
import type { Duplex } from "node:stream"
import { property } from "./internal/property.js"
import * as Problem from "./internal/problem.js"

const reply = (req: Request, res: Response, problem: Problem.Problem): void => {
  const requestId = Problem.requestIdOf(req)
  res.setHeader("x-request-id", requestId)
  Problem.send(res, Problem.answer(problem, requestId))
}

/**
 * Answers every request that reaches it with a 404 problem: mount it after
 * every route.
 *
 * @since 0.2.0
 * @category handlers
 */
export const notFound: RequestHandler = (req, res) => reply(req, res, Problem.notFound)

/**
 * Answers a 405 problem with `Allow: allow`, for the methods a route does
 * not answer (`app.route(path).get(…).all(methodNotAllowed("GET, HEAD"))`).
 *
 * @since 0.2.0
 * @category handlers
 */
export const methodNotAllowed = (allow: string): RequestHandler => {
  const problem = Problem.methodNotAllowed(allow)
  return (req, res) => reply(req, res, problem)
}

/**
 * Answers an error Express or a middleware passed on with a problem: a
 * malformed URL, a body a parser refused, any other 4xx error by its
 * status. Anything else is a 500 whose details go to the log (Effect's
 * default logger), never to the caller. Mount it last.
 *
 * @since 0.2.0
 * @category handlers
 */
export const handleError: ErrorRequestHandler = (error: unknown, req, res, next) => {
  // An answer already under way cannot become a problem: Express's own handler closes it.
  if (res.headersSent) return next(error)
  const problem = Problem.forExpressError(error, req)
  if (problem !== undefined) return reply(req, res, problem)
  const requestId = Problem.requestIdOf(req)
  Effect.runFork(
    Effect.logError("answered 500: an error no route handled", Cause.die(error)).pipe(
      Effect.annotateLogs({ requestId, method: req.method, path: req.originalUrl })
    )
  )
  res.setHeader("x-request-id", requestId)
  Problem.send(res, Problem.answer(Problem.internalError(requestId), requestId))
}

/**
 * For Node's `clientError` event (`server.on("clientError", onClientError)`):
 * answers a request the HTTP parser refused, or one that did not arrive
 * within `headersTimeout` or `requestTimeout`, with a problem (400, 408,
 * 431), then closes the connection, as Node does with a bare status line.
 *
 * @since 0.2.0
 * @category handlers
 */
export const onClientError = (error: Error, socket: Duplex): void => {
  // Node's own rule: no answer once the in-flight response (its private
  // `_httpMessage`) has sent its head, which an answer would corrupt.
  const inFlight = property(socket, "_httpMessage")
  if (property(error, "code") === "ECONNRESET" || !socket.writable || property(inFlight, "headersSent") === true) {
    socket.destroy()
    return
  }
  const requestId = randomUUID()
  const answer = Problem.answer(Problem.forClientError(property(error, "code")), requestId)
  socket.end(Problem.toRaw(answer, requestId), () => socket.destroy())
}
