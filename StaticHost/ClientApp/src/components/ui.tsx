import type { ComponentChildren, JSX } from "preact";
import { useEffect, useId, useRef, useState } from "preact/hooks";
import { ApiError } from "../lib/api";
import { focusPageHeading, wasNavigated } from "../lib/focus";
import { href } from "../lib/router";

const APP_NAME = "ReadinessAspire";

/**
 * The page's one <h1>, and the document's title ("<title> · ReadinessAspire"). After a navigation inside the app,
 * focus moves to the heading, so a screen reader announces the new page and Tab continues from its top.
 */
export function PageHeading({ title, children }: { title: string; children?: ComponentChildren }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · ${APP_NAME}`;
  }, [title]);
  useEffect(() => {
    if (wasNavigated()) ref.current?.focus({ preventScroll: true });
  }, []);
  return (
    <h1 ref={ref} tabIndex={-1}>
      {children ?? title}
    </h1>
  );
}

/** A failed call as the reader should see it: the problem's title and detail, and the trace id to quote. */
export function ErrorMessage({ error, title }: { error: unknown; title?: string }) {
  if (!error) return null;
  if (error instanceof DOMException && error.name === "AbortError") return null;
  const apiError = error instanceof ApiError ? error : null;
  const message = apiError?.message ?? (error instanceof Error ? error.message : "Something went wrong.");
  return (
    <div class="alert alert-error" role="alert">
      <p class="alert-title">{title ?? apiError?.problem?.title ?? "Something went wrong"}</p>
      <p>{message}</p>
      {apiError?.traceId && (
        <p class="muted small">
          Trace id: <code>{apiError.traceId}</code>
        </p>
      )}
    </div>
  );
}

export function Loading({ label = "Loading…" }: { label?: string }) {
  return (
    <p class="loading" role="status">
      {label}
    </p>
  );
}

/** What a page shows for a resource the reader cannot have: it does not exist, or its team is not theirs. */
export function NotFound({ what }: { what: string }) {
  return (
    <div class="alert alert-error" role="alert">
      <p class="alert-title">{what} not found</p>
      <p>It does not exist, or it belongs to a team you are not in.</p>
      <p>
        <a href={href("services")}>Back to services</a>
      </p>
    </div>
  );
}

/** Shows the 404 page for an ApiError 404, the error otherwise. */
export function LoadFailure({ error, what }: { error: unknown; what: string }) {
  if (error instanceof ApiError && error.status === 404) return <NotFound what={what} />;
  return <ErrorMessage error={error} title={`The ${what.toLowerCase()} could not be loaded`} />;
}

/**
 * What a page shows before its main resource is there: its heading, and the failure (as LoadFailure shows it, with
 * "Try again" when `onRetry` is given) or a loading message. Pages return it early, so the heading (and focus after a
 * navigation) is there from the start.
 */
export function PageNotReady({ title, error, what, loadingLabel, onRetry }: {
  title: string;
  error: unknown;
  what: string;
  loadingLabel?: string;
  onRetry?: () => void;
}) {
  return (
    <>
      <PageHeading title={title} />
      {error ? <LoadFailure error={error} what={what} /> : <Loading label={loadingLabel} />}
      {error && onRetry && (
        <div class="actions">
          <button type="button" onClick={onRetry}>Try again</button>
        </div>
      )}
    </>
  );
}

interface FieldProps {
  label: string;
  error?: string[] | undefined;
  hint?: string;
  children: (props: { id: string; "aria-describedby"?: string; "aria-invalid"?: boolean }) => JSX.Element;
}

/** A label, a control, an optional hint and the field's validation errors, wired up for assistive technology. */
export function Field({ label, error, hint, children }: FieldProps) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error && error.length > 0 ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(" ") || undefined;
  return (
    <div class={`field${errorId ? " field-invalid" : ""}`}>
      <label for={id}>{label}</label>
      {hint && (
        <p class="hint" id={hintId}>
          {hint}
        </p>
      )}
      {children({ id, ...(describedBy ? { "aria-describedby": describedBy } : {}), ...(errorId ? { "aria-invalid": true } : {}) })}
      {errorId && (
        <p class="field-error" id={errorId}>
          {error!.join(" ")}
        </p>
      )}
    </div>
  );
}

/** Field errors of a validation problem, by field name (case-insensitive, as ASP.NET Core may capitalise them). */
export function fieldErrors(error: unknown): (name: string) => string[] | undefined {
  const errors = error instanceof ApiError ? error.fieldErrors : {};
  const byName = new Map(Object.entries(errors).map(([key, value]) => [key.toLowerCase(), value]));
  return (name) => byName.get(name.toLowerCase());
}

export function Pager({ page, pageSize, total, link, label }: { page: number; pageSize: number; total: number; link: (page: number) => string; label: string }) {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  if (pages <= 1) return null;
  return (
    // The link followed may not be on the next page (the last has no "Next page"), and the list above it changes:
    // focus starts over at the page's heading, as after any navigation, where the view goes too.
    <nav class="pager" aria-label={label}>
      {page > 1 ? <a href={link(page - 1)} rel="prev" onClick={focusHeadingOnNavigation}>Previous page</a> : <span aria-hidden="true" />}
      <span>
        Page {page} of {pages}
      </span>
      {page < pages ? <a href={link(page + 1)} rel="next" onClick={focusHeadingOnNavigation}>Next page</a> : <span aria-hidden="true" />}
    </nav>
  );
}

/** A click the router follows in place (not a new tab or window): the page's heading takes focus. */
function focusHeadingOnNavigation(event: MouseEvent) {
  if (event.button === 0 && !event.metaKey && !event.ctrlKey && !event.shiftKey && !event.altKey) focusPageHeading();
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });

export function When({ at, dateOnly: onlyDate = false }: { at: string | null | undefined; dateOnly?: boolean }) {
  if (!at) return <span class="muted">—</span>;
  const date = new Date(at.length === 10 ? `${at}T00:00:00` : at);
  return <time dateTime={at}>{(onlyDate ? dateOnly : dateTime).format(date)}</time>;
}

export const percent = (score: number | null | undefined) => (score === null || score === undefined ? "—" : `${Math.round(score * 100)}%`);

/** A grade letter with a colour class by band; the letter itself is the information, the colour only repeats it. */
export function GradeBadge({ grade, label }: { grade: string | null | undefined; label: string }) {
  if (!grade) {
    return <span class="badge badge-none">{label}: none</span>;
  }
  const band = grade.startsWith("A") ? "good" : grade.startsWith("B") ? "fair" : grade.startsWith("C") ? "warn" : "bad";
  return (
    <span class={`badge badge-${band}`}>
      {label}: <strong>{grade}</strong>
    </span>
  );
}

export function ScoreBadge({ score, ready, label = "Review" }: { score: number | null; ready?: boolean; label?: string }) {
  if (score === null) {
    return <span class="badge badge-none">{label}: not started</span>;
  }
  const band = ready ? "good" : score >= 0.75 ? "fair" : score >= 0.5 ? "warn" : "bad";
  return (
    <span class={`badge badge-${band}`}>
      {label}: <strong>{percent(score)}</strong>
      {ready !== undefined && <span class="visually-hidden">{ready ? ", tier met" : ", tier not met"}</span>}
    </span>
  );
}

/**
 * A destructive action in two steps without window.confirm(): the first button asks, the second ("Yes, …") acts,
 * "Cancel" goes back. Focus moves to the confirming button so a keyboard user is not lost.
 */
export function ConfirmButton({ label, confirmLabel, onConfirm, busy, accessibleName }: {
  label: string;
  confirmLabel: string;
  onConfirm: () => void;
  busy?: boolean;
  /** The first button's name when its text alone is ambiguous, e.g. "Revoke token ci" for "Revoke". */
  accessibleName?: string;
}) {
  const [asking, setAsking] = useState(false);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const askRef = useRef<HTMLButtonElement>(null);
  // A cancel removes the button that had focus: it goes back to the one that asked, not to the document.
  const cancelled = useRef(false);
  useEffect(() => {
    if (asking) confirmRef.current?.focus();
    else if (cancelled.current) askRef.current?.focus();
    cancelled.current = false;
  }, [asking]);
  const cancel = () => {
    cancelled.current = true;
    setAsking(false);
  };
  if (!asking) {
    return (
      <button type="button" class="button-danger" ref={askRef} aria-label={accessibleName} disabled={busy} onClick={() => setAsking(true)}>
        {label}
      </button>
    );
  }
  return (
    <span class="confirm" role="group" aria-label={accessibleName ?? label} onKeyDown={(e) => e.key === "Escape" && cancel()}>
      <button type="button" class="button-danger" ref={confirmRef} disabled={busy} onClick={() => { setAsking(false); onConfirm(); }}>
        {confirmLabel}
      </button>
      <button type="button" class="button-secondary" onClick={cancel}>
        Cancel
      </button>
    </span>
  );
}
