import { useCallback, useEffect, useMemo, useRef, useState } from "preact/hooks";
import { newIdempotencyKey } from "./api";

export interface Resource<T> {
  data: T | undefined;
  /** The last load's failure; when a reload fails, `data` is still what loaded before, and pages show both. */
  error: unknown;
  loading: boolean;
  /** Loads again; the current data stays on screen meanwhile. */
  reload: () => void;
  /** Replaces the data locally, e.g. with what a write answered. */
  setData: (update: T | ((current: T | undefined) => T)) => void;
}

/** Loads once per change of `deps`; a newer load aborts the older one, and unmounting aborts both. */
export function useResource<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[]): Resource<T> {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({ data: undefined, error: null, loading: true });
  const [generation, setGeneration] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  // Only the latest load may land. A reload makes the one in flight stale at once, not only when the effect runs
  // again after the next render: an answer landing in between would put an older read over what a write just did.
  const latest = useRef(0);

  useEffect(() => {
    const controller = new AbortController();
    const sent = ++latest.current;
    const current = () => !controller.signal.aborted && sent === latest.current;
    setState((s) => ({ ...s, loading: true }));
    loadRef.current(controller.signal).then(
      (data) => current() && setState({ data, error: null, loading: false }),
      (error: unknown) => current() && setState((s) => ({ data: s.data, error, loading: false })),
    );
    return () => controller.abort();
  }, [...deps, generation]);

  const reload = useCallback(() => {
    latest.current++;
    setGeneration((g) => g + 1);
  }, []);
  const setData = useCallback((update: T | ((current: T | undefined) => T)) => {
    setState((s) => ({
      ...s,
      data: typeof update === "function" ? (update as (current: T | undefined) => T)(s.data) : update,
    }));
  }, []);
  return { ...state, reload, setData };
}

/** Calls `tick` every `ms` while `active`, and not while the tab is hidden. */
function usePolling(active: boolean, ms: number, tick: () => void): void {
  const tickRef = useRef(tick);
  tickRef.current = tick;
  useEffect(() => {
    if (!active) return;
    const id = window.setInterval(() => {
      if (document.visibilityState === "visible") tickRef.current();
    }, ms);
    return () => window.clearInterval(id);
  }, [active, ms]);
}

/**
 * Polls like `usePolling`, keeping the last poll's error until a poll lands, so the page can say that what it shows is
 * no longer brought up to date (a server error, a scan or service deleted meanwhile) rather than poll on in silence.
 * `poll` resolves whether its answer landed (false: a newer poll superseded it) and rejects when it failed.
 */
export function usePollingError(active: boolean, ms: number, poll: () => Promise<boolean>): unknown {
  const [error, setError] = useState<unknown>(null);
  usePolling(active, ms, () => {
    poll().then(
      (landed) => landed && setError(null),
      (e: unknown) => setError(e),
    );
  });
  useEffect(() => {
    if (!active) setError(null);
  }, [active]);
  return error;
}

/**
 * The Idempotency-Key of a create form's POST: the same for the same body, so a retry after a lost or failed answer
 * gets the first attempt's result instead of a duplicate; a new one once the body changed, which the server would
 * otherwise refuse (422) as the key reused for another request, for as long as it keeps the key. `created()` after a
 * success: the next POST is another thing, even with the same body.
 */
export function useIdempotencyKey() {
  const attempt = useRef<{ body: string; key: string } | null>(null);
  return useMemo(() => ({
    for(body: unknown): string {
      const text = JSON.stringify(body);
      if (attempt.current?.body !== text) attempt.current = { body: text, key: newIdempotencyKey() };
      return attempt.current.key;
    },
    created() {
      attempt.current = null;
    },
  }), []);
}

/** A pending write: `run` disables re-submission, keeps the error for the form, and returns the result or undefined. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = useCallback(async <T,>(action: () => Promise<T>): Promise<T | undefined> => {
    setBusy(true);
    setError(null);
    try {
      return await action();
    } catch (e) {
      setError(e);
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, setError, run };
}
