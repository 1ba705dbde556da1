import { PageHeading } from "../components/ui";
import { href } from "../lib/router";

export function NotFoundPage() {
  return (
    <>
      <PageHeading title="Page not found" />
      <p>There is no page at <code>{location.pathname}</code>. The link may be mistyped, or the page may have moved.</p>
      <p>
        <a href={href("services")}>Go to your services</a>
      </p>
    </>
  );
}

/** What the reader sees when the page itself fails (a bug, or an answer it cannot handle): never a blank screen. */
export function ServerErrorPage({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const detail = error instanceof Error ? error.message : null;
  return (
    <>
      <PageHeading title="Something went wrong" />
      <p>The page ran into a problem it could not recover from. Nothing you entered was sent twice.</p>
      {detail && (
        <p class="muted small">
          Details: <code>{detail}</code>
        </p>
      )}
      <div class="actions">
        {onRetry && <button type="button" onClick={onRetry}>Try again</button>}
        <a href={href("services")}>Go to your services</a>
      </div>
    </>
  );
}

/** Whether the reader is signed in could not be asked (the API is restarting or unreachable): say so, and offer a retry. */
export function SessionUnavailablePage({ error, onRetry }: { error: unknown; onRetry: () => void }) {
  return (
    <>
      <PageHeading title="The server could not be reached" />
      <p>This page could not check whether you are signed in. Nothing was lost; try again in a moment.</p>
      {error instanceof Error && <p class="muted small">Details: {error.message}</p>}
      <div class="actions">
        <button type="button" onClick={onRetry}>Try again</button>
      </div>
    </>
  );
}
