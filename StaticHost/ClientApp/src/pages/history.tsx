import { ServiceNav } from "../components/service-nav";
import { ErrorMessage, LoadFailure, Loading, PageHeading, Pager, When } from "../components/ui";
import { get } from "../lib/api";
import { useResource } from "../lib/hooks";
import { href, type Route } from "../lib/router";
import type { AuditEntry, Page } from "../lib/types";
import { useServiceContext } from "./service";

const PAGE_SIZE = 25;

/** "service.updated" → "Service updated". */
const describeAction = (action: string) => {
  const text = action.replace(/[._]/g, " ");
  return text.charAt(0).toUpperCase() + text.slice(1);
};

/** The fields a write changed, from the audit event's before and after. */
function changedFields(before: unknown, after: unknown): string[] {
  if (!before || !after || typeof before !== "object" || typeof after !== "object") return [];
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((k) => JSON.stringify((before as Record<string, unknown>)[k]) !== JSON.stringify((after as Record<string, unknown>)[k]) && !/^(etag|version|updatedAt)$/i.test(k));
}

export function HistoryPage({ route }: { route: Route }) {
  const id = route.params["id"]!;
  const page = Math.max(1, Number(route.query.get("page")) || 1);
  const context = useServiceContext(id);
  const history = useResource(
    (signal) => get<Page<AuditEntry>>(`/api/services/${encodeURIComponent(id)}/history?page=${page}&pageSize=${PAGE_SIZE}`, signal),
    [id, page],
  );

  const name = context.data?.service.name;
  return (
    <>
      <PageHeading title={name ? `History of ${name}` : "History"} />
      {context.error ? (
        <LoadFailure error={context.error} what="Service" />
      ) : (
        <>
          <ServiceNav id={id} current="history" />
          <p class="muted">Every change to the service, its reviews and evidence: who, when, what it was before and after. The trail is append-only and hash-chained.</p>
          {history.error ? (
            <ErrorMessage error={history.error} title="The history could not be loaded" />
          ) : !history.data ? (
            <Loading label="Loading the history…" />
          ) : history.data.items.length === 0 ? (
            <p class="muted">Nothing happened yet.</p>
          ) : (
            <>
              <p class="muted small">{history.data.total} events, newest first.</p>
              <ol class="history">
                {history.data.items.map((entry) => {
                  const fields = changedFields(entry.before, entry.after);
                  return (
                    <li key={entry.id} class="card history-entry">
                      <p>
                        <strong>{describeAction(entry.action)}</strong>{" "}
                        <span class="muted">
                          {entry.entityType} <code>{entry.entityId}</code>
                        </span>
                      </p>
                      <p class="small">
                        <When at={entry.at} /> by {entry.actorEmail ?? (entry.actorId ? "a former member" : "the system")}
                        {fields.length > 0 && <> · changed {fields.join(", ")}</>}
                      </p>
                      {(entry.before !== null || entry.after !== null) && (
                        <details>
                          <summary>Before and after<span class="visually-hidden"> of event {entry.id}</span></summary>
                          <div class="before-after">
                            <div>
                              <h3 class="small">Before</h3>
                              <pre>{entry.before === null ? "(nothing)" : JSON.stringify(entry.before, null, 2)}</pre>
                            </div>
                            <div>
                              <h3 class="small">After</h3>
                              <pre>{entry.after === null ? "(nothing)" : JSON.stringify(entry.after, null, 2)}</pre>
                            </div>
                          </div>
                          {entry.traceId && <p class="muted small">Trace id: <code>{entry.traceId}</code></p>}
                        </details>
                      )}
                    </li>
                  );
                })}
              </ol>
              <Pager page={history.data.pageNumber} pageSize={history.data.pageSize} total={history.data.total}
                link={(p) => href("history", { id }, { page: p > 1 ? p : null })} label="Pages of the history" />
            </>
          )}
        </>
      )}
    </>
  );
}
