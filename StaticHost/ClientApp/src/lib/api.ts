// The client of WebApi's /api, on the page's own origin (nginx routes /api/ to WebApi, everything else here).
// Every write carries the antiforgery token in X-CSRF-TOKEN; a failure becomes an ApiError whose message can be shown
// as it is; a 401 on a signed-in session ends the session and sends the reader to sign in (see session.ts).

const TIMEOUT_MS = 20_000;
const ANTIFORGERY_PATH = "/api/antiforgery/token";

/** RFC 9457 problem details, as WebApi, ServiceDefaults and the proxy write them. */
export interface ProblemDetails {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  traceId?: string;
  errors?: Record<string, string[]>;
}

/** A failed call: `message` is a sentence for the reader; `fieldErrors` are a validation problem's, by field. */
export class ApiError extends Error {
  readonly status: number;
  readonly problem: ProblemDetails | null;

  constructor(status: number, message: string, problem: ProblemDetails | null = null) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.problem = problem;
  }

  get title(): string {
    return this.problem?.title ?? (this.status === 0 ? "No answer" : `Error ${this.status}`);
  }

  get traceId(): string | undefined {
    return this.problem?.traceId;
  }

  /** Validation errors keyed by field name in camelCase (`name`, `environments[0].baseUrl`). */
  get fieldErrors(): Record<string, string[]> {
    return this.problem?.errors ?? {};
  }
}

export interface ApiResponse<T> {
  status: number;
  data: T;
  etag: string | null;
}

export interface RequestOptions {
  body?: unknown;
  /** For PUT, PATCH, DELETE and conditional POSTs: the entity tag of what the reader saw. */
  ifMatch?: string;
  /** For creating POSTs: the same key on a retry makes the server answer the first result instead of a duplicate. */
  idempotencyKey?: string;
  signal?: AbortSignal;
}

type UnauthorizedHandler = (path: string) => void;
let onUnauthorized: UnauthorizedHandler = () => {};

/** Called with the request path when the server answers 401 to anything but the sign-in calls. */
export function setUnauthorizedHandler(handler: UnauthorizedHandler): void {
  onUnauthorized = handler;
}

let antiforgeryToken: Promise<string> | null = null;

/** Antiforgery tokens are bound to the signed-in user: forget the token whenever that changes. */
export function resetAntiforgeryToken(): void {
  antiforgeryToken = null;
}

async function getAntiforgeryToken(): Promise<string> {
  antiforgeryToken ??= send<{ headerName: string; requestToken: string }>("GET", ANTIFORGERY_PATH, {})
    .then((response) => response.data.requestToken)
    .catch((error: unknown) => {
      antiforgeryToken = null;
      throw error;
    });
  return antiforgeryToken;
}

const isWrite = (method: string) => method !== "GET" && method !== "HEAD";

/** Sends a JSON request; on a rejected antiforgery token it fetches a fresh one and tries once more. */
export async function api<T>(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
  if (!isWrite(method)) {
    return send<T>(method, path, options);
  }
  try {
    return await send<T>(method, path, options, await getAntiforgeryToken());
  } catch (error) {
    if (error instanceof ApiError && error.status === 400 && /antiforgery/i.test(error.problem?.title ?? "")) {
      resetAntiforgeryToken();
      return send<T>(method, path, options, await getAntiforgeryToken());
    }
    throw error;
  }
}

export const get = <T>(path: string, signal?: AbortSignal) => api<T>("GET", path, signal ? { signal } : {}).then((r) => r.data);

async function send<T>(method: string, path: string, options: RequestOptions, csrfToken?: string): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { Accept: "application/json, application/problem+json" };
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  if (csrfToken) headers["X-CSRF-TOKEN"] = csrfToken;
  if (options.ifMatch) headers["If-Match"] = options.ifMatch;
  if (options.idempotencyKey) headers["Idempotency-Key"] = options.idempotencyKey;

  const timeout = AbortSignal.timeout(TIMEOUT_MS);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: options.body === undefined ? null : JSON.stringify(options.body),
      credentials: "same-origin",
      cache: "no-cache",
      signal,
    });
  } catch (error) {
    if (options.signal?.aborted) throw error;
    throw new ApiError(0, timeout.aborted
      ? "The server did not answer in time. Check your connection and try again."
      : "The server could not be reached. Check your connection and try again.");
  }
  return readResponse<T>(method, path, response.status, response.headers.get("Content-Type") ?? "", response.headers.get("ETag"),
    () => response.text());
}

/** Shared by fetch and XMLHttpRequest (uploads): a JSON body or an ApiError. */
export async function readResponse<T>(
  method: string, path: string, status: number, contentType: string, etag: string | null, text: () => Promise<string>,
): Promise<ApiResponse<T>> {
  const body = status === 204 || status === 304 ? "" : await text();
  if (status >= 200 && status < 300) {
    let data: unknown = undefined;
    if (body.length > 0) {
      try {
        data = JSON.parse(body);
      } catch {
        throw new ApiError(status, "The server sent an answer this page cannot read.");
      }
    }
    return { status, data: data as T, etag };
  }

  let problem: ProblemDetails | null = null;
  if (/json/i.test(contentType) && body.length > 0) {
    try {
      problem = JSON.parse(body) as ProblemDetails;
    } catch {
      problem = null;
    }
  }
  if (status === 401 && !/^\/api\/account\/(sign-in|passkeys\/sign-in)/.test(path)) {
    onUnauthorized(path);
  }
  throw new ApiError(status, describe(method, status, problem, body), problem);
}

/** A sentence for the reader, from the problem details when there are any. */
function describe(method: string, status: number, problem: ProblemDetails | null, body: string): string {
  const fieldMessages = Object.values(problem?.errors ?? {}).flat();
  // A key sent again with another body: the forms take a new key when the body changed (useIdempotencyKey), but
  // should one not, the reader hears what may have happened rather than the key's rules.
  if (status === 422 && problem?.title === "Idempotency key reused") {
    return "An earlier attempt to send this may have been saved, though its answer never arrived. Check whether it is there before sending it again.";
  }
  // A 412's detail is for API clients ("the ETag in If-Match"); the reader gets the sentence below.
  if (problem?.detail && status !== 412) return problem.detail;
  if (fieldMessages.length > 0) return fieldMessages.join(" ");
  if (problem?.title && status < 500) return problem.title + ".";
  switch (status) {
    case 401:
      return "You are not signed in, or your session has expired.";
    case 403:
      return "Your role in this team does not allow this.";
    case 404:
      return "This does not exist, or it belongs to a team you are not in.";
    case 409:
      return "This conflicts with the current state; reload and try again.";
    case 412:
      return "Someone changed this while you were looking at it. Reload to see their change, then try again.";
    case 413:
      return "The file is too large.";
    case 429:
      return "Too many requests; wait a moment and try again.";
    default:
      if (status >= 500) {
        return `The server failed to answer this ${method === "GET" ? "request" : "change"} (HTTP ${status}). Try again in a moment.`;
      }
      return body.length > 0 && body.length < 200 && !/[<>]/.test(body) ? body : `The request failed (HTTP ${status}).`;
  }
}

/** A fresh key for one attempt at creating something; reuse it when retrying that same attempt. */
export const newIdempotencyKey = () => crypto.randomUUID();

/** A write refused because what it changes changed meanwhile: a stale entity tag (412), or a state it conflicts with (409). */
export const isConflict = (error: unknown): error is ApiError => error instanceof ApiError && (error.status === 409 || error.status === 412);

/**
 * A 412 said on a page that has reloaded what it changes, so the next try sends the current entity tag; other
 * failures as they are. `what` is the thing changed: "item", "member".
 */
export function reloadedAfterConflict(error: unknown, what: string): unknown {
  return error instanceof ApiError && error.status === 412
    ? new ApiError(412, `Someone else changed this ${what} meanwhile; it now shows their change. Make your change again if it still applies.`, error.problem)
    : error;
}

export interface UploadProgress {
  loaded: number;
  total: number;
}

/**
 * POSTs a file as multipart/form-data (part "file") with XMLHttpRequest, whose upload events report progress,
 * which fetch cannot do.
 */
export async function upload<T>(path: string, file: File, onProgress: (progress: UploadProgress) => void, signal?: AbortSignal): Promise<T> {
  const send = (token: string) => new Promise<ApiResponse<T>>((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("POST", path);
    request.setRequestHeader("Accept", "application/json, application/problem+json");
    request.setRequestHeader("X-CSRF-TOKEN", token);
    request.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) onProgress({ loaded: event.loaded, total: event.total });
    });
    request.addEventListener("load", () => {
      readResponse<T>("POST", path, request.status, request.getResponseHeader("Content-Type") ?? "", request.getResponseHeader("ETag"),
        () => Promise.resolve(request.responseText)).then(resolve, reject);
    });
    request.addEventListener("error", () => reject(new ApiError(0, "The upload failed: the server could not be reached.")));
    request.addEventListener("abort", () => reject(new DOMException("The upload was cancelled.", "AbortError")));
    signal?.addEventListener("abort", () => request.abort(), { once: true });
    const form = new FormData();
    form.append("file", file, file.name);
    request.send(form);
  });

  try {
    return (await send(await getAntiforgeryToken())).data;
  } catch (error) {
    if (error instanceof ApiError && error.status === 400 && /antiforgery/i.test(error.problem?.title ?? "")) {
      resetAntiforgeryToken();
      return (await send(await getAntiforgeryToken())).data;
    }
    throw error;
  }
}
