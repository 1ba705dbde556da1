import { useEffect, useRef, useState } from "preact/hooks";
import { ScoreChart } from "../components/chart";
import { ServiceNav } from "../components/service-nav";
import { ErrorMessage, GradeBadge, Loading, PageHeading, PageNotReady, When } from "../components/ui";
import { api, get } from "../lib/api";
import { useAction, usePollingError, useResource } from "../lib/hooks";
import { href, navigate } from "../lib/router";
import type { Finding, Page, ScanDetail, ScanHistoryPoint, ScanStatus, ScanSummary, Severity } from "../lib/types";
import { canWriteAs, useServiceContext } from "./service";

const POLL_MS = 2000;
const PAGE_SIZE = 10;
const inFlight = (status: ScanStatus) => status === "Queued" || status === "Running";

function StatusBadge({ status }: { status: ScanStatus }) {
  const band = status === "Completed" ? "good" : status === "Failed" ? "bad" : "fair";
  return <span class={`badge badge-${band}`}>{status === "Running" ? "Running…" : status}</span>;
}

export function ScansPage({ id }: { id: string }) {
  const context = useServiceContext(id);
  const [page, setPage] = useState(1);
  const scans = useResource(
    (signal) => get<Page<ScanSummary>>(`/api/services/${encodeURIComponent(id)}/scans?page=${page}&pageSize=${PAGE_SIZE}`, signal),
    [id, page],
  );
  const history = useResource(
    (signal) => get<ScanHistoryPoint[]>(`/api/services/${encodeURIComponent(id)}/scans/history?limit=200`, signal),
    [id],
  );
  const [environment, setEnvironment] = useState("");
  const [announcement, setAnnouncement] = useState("");
  const queue = useAction();

  // Every scan seen queued or running, by this page's own request or any load of the list. When one shows up finished,
  // whichever load brought it (a poll, or the reload after queueing, when the scan was quicker than the reload), the
  // chart loads again and the finish is announced.
  const awaited = useRef(new Set<number>());
  useEffect(() => {
    const items = scans.data?.items ?? [];
    for (const scan of items) if (inFlight(scan.status)) awaited.current.add(scan.id);
    const finished = items.filter((s) => !inFlight(s.status) && awaited.current.delete(s.id));
    if (finished.length > 0) {
      history.reload();
      setAnnouncement(finished.map((s) => `Scan ${s.id} of ${s.environment} ${s.status === "Completed" ? `finished: grade ${s.grade}` : "failed"}.`).join(" "));
    }
  }, [scans.data]);

  // Watch queued and running scans until they finish, without reloading the page.
  // Only the latest poll of the page on screen may land: a slow answer must not put back another page's rows, or an
  // older state of a scan that a newer answer already showed finished.
  const watching = scans.data?.items.some((s) => inFlight(s.status)) ?? false;
  const latestPoll = useRef({ sent: 0, page });
  latestPoll.current.page = page;
  const pollError = usePollingError(watching, POLL_MS, async () => {
    const sent = ++latestPoll.current.sent;
    const forPage = page;
    const latest = () => latestPoll.current.sent === sent && latestPoll.current.page === forPage;
    try {
      const data = await get<Page<ScanSummary>>(`/api/services/${encodeURIComponent(id)}/scans?page=${forPage}&pageSize=${PAGE_SIZE}`);
      if (latest()) scans.setData(data);
      return latest();
    } catch (error) {
      if (!latest()) return false;
      throw error;
    }
  });

  if (context.error || !context.data) {
    return <PageNotReady title="Scans" error={context.error} what="Service" />;
  }
  const { service, role } = context.data;
  const canWrite = canWriteAs(role);
  const chosen = environment || service.environments[0]?.name || "";

  const run = async (event: Event) => {
    event.preventDefault();
    const queued = await queue.run(() => api<ScanSummary>("POST", `/api/services/${service.id}/scans`, { body: { environment: chosen } }));
    if (queued) {
      awaited.current.add(queued.data.id);
      setAnnouncement(`Scan ${queued.data.id} of ${chosen} is ${queued.data.status.toLowerCase()}.`);
      if (page !== 1) setPage(1);
      else scans.reload();
    }
  };

  return (
    <>
      <PageHeading title={`Scans of ${service.name}`} />
      <ServiceNav id={service.id} current="scans" />
      <p class="visually-hidden" role="status" aria-live="polite">{announcement}</p>

      {canWrite && service.environments.length > 0 && (
        <form class="card stack run-scan" onSubmit={run}>
          <h2>Run a scan</h2>
          <p class="muted">Grades the environment from outside, like MDN's HTTP Observatory, and maps what it finds to the checklist.</p>
          <div class="inline">
            <div class="field">
              <label for="scan-environment">Environment</label>
              <select id="scan-environment" value={chosen} onChange={(e) => setEnvironment(e.currentTarget.value)}>
                {service.environments.map((e) => <option key={e.name} value={e.name}>{e.name} ({e.baseUrl})</option>)}
              </select>
            </div>
          </div>
          <ErrorMessage error={queue.error} title="The scan could not be queued" />
          <div class="actions">
            <button type="submit" disabled={queue.busy}>Run scan</button>
          </div>
        </form>
      )}
      {service.environments.length === 0 && (
        <p>This service has no environments to scan. {canWrite && <a href={href("editService", { id: service.id })}>Add one</a>}</p>
      )}

      <section aria-labelledby="chart-heading" class="separated">
        <h2 id="chart-heading">Score and grade over time</h2>
        {history.error ? (
          <ErrorMessage error={history.error} title="The history could not be loaded" />
        ) : !history.data ? (
          <Loading label="Loading the history…" />
        ) : history.data.length === 0 ? (
          <p class="muted">No completed scan yet.</p>
        ) : (
          [...new Set(history.data.map((p) => p.environment))].map((name) => (
            <ScoreChart key={name} environment={name} points={history.data!.filter((p) => p.environment === name)} />
          ))
        )}
      </section>

      <section aria-labelledby="scan-list-heading" class="separated">
        <h2 id="scan-list-heading">All scans</h2>
        <ErrorMessage error={pollError} title="The scans in progress could not be checked; trying again" />
        {scans.error ? (
          <ErrorMessage error={scans.error} title="Scans could not be loaded" />
        ) : !scans.data ? (
          <Loading label="Loading scans…" />
        ) : scans.data.items.length === 0 ? (
          <p class="muted">No scans yet.</p>
        ) : (
          <>
            <div class="table-scroll" role="region" aria-label="Scans table" tabIndex={0}>
              <table>
                <thead>
                  <tr>
                    <th scope="col">Scan</th>
                    <th scope="col">Environment</th>
                    <th scope="col">Status</th>
                    <th scope="col">Grade</th>
                    <th scope="col">Checklist</th>
                    <th scope="col">Queued</th>
                  </tr>
                </thead>
                <tbody>
                  {scans.data.items.map((scan) => (
                    <tr key={scan.id}>
                      <th scope="row"><a href={href("scan", { id: service.id, scanId: String(scan.id) })}>#{scan.id}</a></th>
                      <td>{scan.environment}</td>
                      <td><StatusBadge status={scan.status} /></td>
                      <td>{scan.grade ? <GradeBadge grade={scan.grade} label={`Score ${scan.score}`} /> : scan.error ? <span class="status-bad">{scan.error}</span> : "—"}</td>
                      <td>{scan.checklistTotal ? `${scan.checklistPassed} of ${scan.checklistTotal} passed` : "—"}</td>
                      <td><When at={scan.queuedAt} /></td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <PagerButtons page={page} pageSize={PAGE_SIZE} total={scans.data.total} onPage={setPage} />
          </>
        )}
      </section>
    </>
  );
}

function PagerButtons({ page, pageSize, total, onPage }: { page: number; pageSize: number; total: number; onPage: (page: number) => void }) {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  if (pages <= 1) return null;
  return (
    // aria-disabled, not disabled: a button that becomes disabled under the reader's focus drops it to the document.
    // The page number is a live region, so the change is heard where the focus stays.
    <nav class="pager" aria-label="Pages of scans">
      <button type="button" class="button-secondary" aria-disabled={page <= 1} onClick={() => page > 1 && onPage(page - 1)}>Previous page</button>
      <span role="status">Page {page} of {pages}</span>
      <button type="button" class="button-secondary" aria-disabled={page >= pages} onClick={() => page < pages && onPage(page + 1)}>Next page</button>
    </nav>
  );
}

const severities: Severity[] = ["Critical", "High", "Medium", "Low", "Info"];

/** The environment the API files a scan of a URL under when the URL is none of the service's environments. */
const ADHOC_ENVIRONMENT = "adhoc";

export function ScanPage({ id, scanId }: { id: string; scanId: string }) {
  const scan = useResource(
    (signal) => get<ScanDetail>(`/api/services/${encodeURIComponent(id)}/scans/${encodeURIComponent(scanId)}`, signal),
    [id, scanId],
  );
  // Whether the reader may queue a scan: viewers may not.
  const context = useServiceContext(id);
  const queue = useAction();
  const running = scan.data ? inFlight(scan.data.scan.status) : false;
  // Only the latest poll may land: a slow answer must not show the scan running again after a newer one showed it
  // finished (the report would go, and polling start again).
  const latestPoll = useRef(0);
  const pollError = usePollingError(running, POLL_MS, async () => {
    const sent = ++latestPoll.current;
    try {
      const data = await get<ScanDetail>(`/api/services/${encodeURIComponent(id)}/scans/${encodeURIComponent(scanId)}`);
      if (latestPoll.current === sent) scan.setData(data);
      return latestPoll.current === sent;
    } catch (error) {
      if (latestPoll.current !== sent) return false;
      throw error;
    }
  });

  const title = scan.data ? `Scan #${scan.data.scan.id} of ${scan.data.scan.environment}` : `Scan #${scanId}`;
  if (!scan.data) {
    return <PageNotReady title={title} error={scan.error} what="Scan" loadingLabel="Loading the scan…" />;
  }

  const { scan: summary, report, changes } = scan.data;
  const failing = report?.findings.filter((f) => !f.passed) ?? [];
  const passing = report?.findings.filter((f) => f.passed) ?? [];
  // A scan of a URL that is none of the service's environments is filed under "adhoc", which no environment is named:
  // it is asked for again by its URL.
  const repeat = summary.environment === ADHOC_ENVIRONMENT ? { url: summary.targetUrl, profile: summary.profile } : { environment: summary.environment };
  const again = async () => {
    const queued = await queue.run(() => api<ScanSummary>("POST", `/api/services/${id}/scans`, { body: repeat }));
    if (queued) navigate(href("scan", { id, scanId: String(queued.data.id) }));
  };

  return (
    <>
      <PageHeading title={title} />
      <p>
        <a href={href("scans", { id })}>All scans of this service</a>
      </p>
      <div class="card stack" aria-live="polite">
        <p>
          <StatusBadge status={summary.status} /> <code>{summary.targetUrl}</code> ({summary.profile === "Api" ? "API" : "web page"}),
          queued <When at={summary.queuedAt} />
          {summary.finishedAt && <>, finished <When at={summary.finishedAt} /></>}
        </p>
        {inFlight(summary.status) && <p role="status">The scan is {summary.status.toLowerCase()}; this page updates by itself.</p>}
        <ErrorMessage error={pollError} title="The scan's progress could not be checked; trying again" />
        {summary.status === "Failed" && <p class="status-bad">The scan failed: {summary.error}</p>}
        {summary.grade && (
          <p class="badges">
            <GradeBadge grade={summary.grade} label={`Observatory grade (score ${summary.score})`} />
            <GradeBadge grade={summary.profileGrade} label={`${summary.profile === "Api" ? "API" : "Web"} profile grade (score ${summary.profileScore})`} />
            <span class="badge badge-none">Checklist: {summary.checklistPassed} of {summary.checklistTotal} passed</span>
          </p>
        )}
        {changes && (
          <p>
            Since scan <a href={href("scan", { id, scanId: String(changes.previousScanId) })}>#{changes.previousScanId}</a>: grade {changes.previousGrade} → {changes.grade}
            {" "}({changes.scoreDelta >= 0 ? "+" : ""}{changes.scoreDelta}){changes.newFailures.length > 0 && <>, newly failing: {changes.newFailures.join(", ")}</>}
            {changes.fixed.length > 0 && <>, fixed: {changes.fixed.join(", ")}</>}.
          </p>
        )}
        <ErrorMessage error={queue.error} title="The scan could not be queued" />
        {!inFlight(summary.status) && context.data && canWriteAs(context.data.role) && (
          <div class="actions">
            <button type="button" class="button-secondary" onClick={again} disabled={queue.busy}>Scan {summary.environment} again</button>
          </div>
        )}
      </div>

      {report && (
        <>
          <section aria-labelledby="failing-heading" class="separated">
            <h2 id="failing-heading">Findings to fix ({failing.length})</h2>
            {failing.length === 0 && <p class="status-good">Every check passed.</p>}
            {severities.map((severity) => {
              const group = failing.filter((f) => f.severity === severity);
              return group.length === 0 ? null : (
                <section key={severity} aria-labelledby={`severity-${severity}`}>
                  <h3 id={`severity-${severity}`}>
                    <span class={`badge badge-${severityBand(severity)}`}>{severity}</span> {group.length} {group.length === 1 ? "finding" : "findings"}
                  </h3>
                  <ul class="findings">
                    {group.map((f) => <FindingCard key={f.id} finding={f} />)}
                  </ul>
                </section>
              );
            })}
          </section>
          <details class="separated">
            <summary>Passing checks ({passing.length})</summary>
            <ul class="findings">
              {passing.map((f) => <FindingCard key={f.id} finding={f} />)}
            </ul>
          </details>
        </>
      )}
    </>
  );
}

const severityBand = (severity: Severity) =>
  severity === "Critical" || severity === "High" ? "bad" : severity === "Medium" ? "warn" : severity === "Low" ? "fair" : "none";

function FindingCard({ finding }: { finding: Finding }) {
  return (
    <li class={`finding card${finding.passed ? "" : " finding-failed"}`}>
      <p class="finding-title">
        <strong>{finding.title}</strong> <span class="muted small">({finding.id}, checklist {finding.checklistItem})</span>
      </p>
      {finding.evidence && <p class="small">Seen: <code>{finding.evidence}</code></p>}
      {!finding.passed && finding.fix && (
        <p class="fix"><strong>Fix:</strong> {finding.fix}</p>
      )}
    </li>
  );
}
