import { BOUNDS, BoundError } from '../bounds';

/**
 * HTTP for the registry client, with the limits of a hostile server in mind: one deadline
 * for a whole operation (every request, redirect and body read of it), bodies read up to a
 * byte limit, redirects followed by hand so credentials never cross to another origin and
 * never go from https to http.
 */

/** One registry operation: its deadline and what it is about (for messages). */
export interface Operation {
  /** Names the operation in errors, e.g. the image reference. */
  readonly subject: string;
  readonly signal: AbortSignal;
  readonly deadlineMs: number;
}

/** Starts an operation that must end within `deadlineMs`. */
export function startOperation(subject: string, deadlineMs: number = BOUNDS.registryOperationMs): Operation {
  return { subject, signal: AbortSignal.timeout(deadlineMs), deadlineMs };
}

/** An answer: status, headers, and the final URL after redirects. */
export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly url: URL;
  readonly response: Response;
}

const MAX_REDIRECTS = 5;

function failure(op: Operation, host: string, e: unknown): Error {
  if (op.signal.aborted) {
    return new Error(`${op.subject}: ${host} did not finish within goship's deadline of ${op.deadlineMs / 1000} s for one registry operation — try again, or check the registry`);
  }
  const cause = (e as { cause?: { message?: string } }).cause?.message;
  return new Error(`${op.subject}: cannot reach ${host} (${cause ?? (e as Error).message})`);
}

/**
 * Sends a request. `authorization` goes only to `url`'s origin: a redirect to another origin
 * is followed without it, and a redirect from https to http is refused.
 */
export async function send(op: Operation, method: string, url: URL, headers: Record<string, string>, authorization?: string, body?: Uint8Array): Promise<Answer> {
  const origin = url.origin;
  let current = url;
  for (let hop = 0; ; hop++) {
    let res: Response;
    try {
      res = await fetch(current, {
        method,
        headers: { ...headers, ...(authorization && current.origin === origin ? { Authorization: authorization } : {}) },
        body,
        redirect: 'manual',
        signal: op.signal,
      });
    } catch (e) {
      throw failure(op, current.host, e);
    }
    const location = res.headers.get('location');
    if (res.status < 300 || res.status > 399 || !location) {
      return { status: res.status, headers: res.headers, url: current, response: res };
    }
    await res.body?.cancel().catch(() => undefined);
    const next = new URL(location, current);
    if (current.protocol === 'https:' && next.protocol !== 'https:') {
      throw new Error(`${op.subject}: ${current.host} redirected from https to ${next.protocol}//${next.host} — goship never follows https to plain http`);
    }
    if (hop >= MAX_REDIRECTS) {
      throw new Error(`${op.subject}: more than ${MAX_REDIRECTS} redirects from ${url.host}`);
    }
    current = next;
  }
}

/** The body of an answer, at most `max` bytes, within the operation's deadline. */
export async function readBody(op: Operation, answer: Answer, max: number = BOUNDS.registryAnswerBytes): Promise<Buffer> {
  const declared = Number(answer.headers.get('content-length') ?? NaN);
  const what = `the answer of ${answer.url.host}`;
  if (declared > max) {
    await answer.response.body?.cancel().catch(() => undefined);
    throw new BoundError(op.subject, what, `${max} bytes`);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of answer.response.body ?? []) {
      total += (chunk as Uint8Array).length;
      if (total > max) {
        await answer.response.body?.cancel().catch(() => undefined);
        throw new BoundError(op.subject, what, `${max} bytes`);
      }
      chunks.push(Buffer.from(chunk as Uint8Array));
    }
  } catch (e) {
    if (e instanceof BoundError) {
      throw e;
    }
    throw failure(op, answer.url.host, e);
  }
  return Buffer.concat(chunks, total);
}

/** Discards a body without reading it. */
export async function discard(answer: Answer): Promise<void> {
  await answer.response.body?.cancel().catch(() => undefined);
}

/**
 * The body of a response, at most `max` bytes (a registry answer not read through {@link send}'s
 * {@link Answer}); the response's own request signal still bounds the time.
 */
export async function readResponse(subject: string, res: Response, max: number): Promise<Buffer> {
  const url = new URL(res.url || 'http://registry');
  return readBody({ subject, signal: AbortSignal.timeout(BOUNDS.registryOperationMs), deadlineMs: BOUNDS.registryOperationMs },
    { status: res.status, headers: res.headers, url, response: res }, max);
}
