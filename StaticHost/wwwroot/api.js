// Client for the checklist API. URLs are relative: in production a proxy serves this page and the API on one origin.

const TIMEOUT_MS = 10_000;

/** A failed API call, with a message that can be shown to the reader as is. */
export class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.name = "ApiError";
    this.status = status;
  }
}

async function getJson(url, signal) {
  const timeout = AbortSignal.timeout(TIMEOUT_MS);
  const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
  let response;
  try {
    response = await fetch(url, { headers: { Accept: "application/json" }, signal: combined });
  } catch (error) {
    if (signal?.aborted) {
      throw error;
    }
    if (timeout.aborted) {
      throw new ApiError("The checklist service did not answer in time.");
    }
    throw new ApiError("The checklist service could not be reached.");
  }

  if (response.status === 404) {
    throw new ApiError("That checklist does not exist.", 404);
  }
  if (!response.ok) {
    throw new ApiError(`The checklist service answered with an error (HTTP ${response.status}).`, response.status);
  }
  try {
    return await response.json();
  } catch {
    throw new ApiError("The checklist service sent a response that is not valid JSON.", response.status);
  }
}

/** GET /api/checklists: [{ id, title, summary, version, sectionCount, itemCount }] */
export async function fetchChecklists(signal) {
  const checklists = await getJson("/api/checklists", signal);
  if (!Array.isArray(checklists)) {
    throw new ApiError("The checklist service sent an unexpected response.");
  }
  return checklists;
}

/** GET /api/checklists/{id}: { id, title, summary, version, sections: [{ id, title, summary, order, items: [...] }] } */
export async function fetchChecklist(id, signal) {
  const checklist = await getJson(`/api/checklists/${encodeURIComponent(id)}`, signal);
  if (checklist === null || typeof checklist !== "object" || !Array.isArray(checklist.sections)) {
    throw new ApiError("The checklist service sent an unexpected response.");
  }
  return checklist;
}
