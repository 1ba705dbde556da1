import { useState } from "preact/hooks";
import { ServiceNav } from "../components/service-nav";
import { ReviewPanel } from "../components/review";
import { ErrorMessage, GradeBadge, PageHeading, PageNotReady, ScoreBadge } from "../components/ui";
import { api, get, newIdempotencyKey } from "../lib/api";
import { useAction, useResource } from "../lib/hooks";
import { href } from "../lib/router";
import type { Account, LatestScan, ReviewSummary, Service, Team, TeamDetail } from "../lib/types";

export interface ServiceContext {
  service: Service;
  role: Team["myRole"] | null;
  team: TeamDetail | null;
}

/** Whether a member of this role registers services, keeps reviews and runs scans (maintainers and owners). */
export const canWriteAs = (role: ServiceContext["role"]) => role === "Owner" || role === "Maintainer";

/** The service with the caller's role in its team, and the team's members (assignees). */
export function useServiceContext(id: string) {
  return useResource(async (signal): Promise<ServiceContext> => {
    const [service, teams] = await Promise.all([
      get<Service>(`/api/services/${encodeURIComponent(id)}`, signal),
      get<Team[]>("/api/teams", signal),
    ]);
    const role = teams.find((t) => t.id === service.teamId)?.myRole ?? null;
    const team = await get<TeamDetail>(`/api/teams/${service.teamId}`, signal).catch(() => null);
    return { service, role, team };
  }, [id]);
}

export function ServicePage({ id, account }: { id: string; account: Account }) {
  const context = useServiceContext(id);
  const scans = useResource((signal) => get<LatestScan[]>(`/api/scans/latest?serviceId=${encodeURIComponent(id)}`, signal), [id]);
  const start = useAction();
  // One key per review to start: a retry of the same start replays its answer, the next start is a new review.
  const [startKey, setStartKey] = useState(newIdempotencyKey);

  // Only a first load that fails stands in for the page: a reload that fails (after each change to the review) leaves
  // what is on screen, and what is being typed in it, and says so beside it.
  if (!context.data) {
    return <PageNotReady title="Service" error={context.error} what="Service" loadingLabel="Loading the service…" />;
  }

  const { service, role, team } = context.data;
  const canWrite = canWriteAs(role);
  // The service's current review, as the server picks it (ReviewOrder): the open one, else the newest completed.
  const currentId = service.readiness.reviewId;

  const startReview = async () => {
    const started = await start.run(() => api<ReviewSummary>("POST", `/api/services/${service.id}/reviews`, { body: {}, idempotencyKey: startKey }));
    if (started) {
      setStartKey(newIdempotencyKey());
      // The new review at once, whether or not the reload of the rest (its score, the team) gets through.
      const reviewId = started.data.id;
      context.setData((current) => ({ ...current!, service: { ...current!.service, readiness: { ...current!.service.readiness, reviewId } } }));
      context.reload();
    }
  };

  return (
    <>
      <div class="page-head">
        <PageHeading title={service.name} />
        {canWrite && <a class="button button-secondary" href={href("editService", { id: service.id })}>Edit service</a>}
      </div>
      <p class="muted">
        {service.slug} · tier {service.tier}
        {team ? ` · team ${team.name}` : ""}
        {role ? ` · you are ${role === "Owner" ? "an owner" : `a ${role.toLowerCase()}`}` : ""}
      </p>
      <ServiceNav id={service.id} current="service" />
      <ErrorMessage error={context.error} title="The service could not be brought up to date; the page may show an older state" />
      {service.description && <p>{service.description}</p>}
      {service.repositoryUrl && (
        <p>
          Repository: <a href={service.repositoryUrl} rel="noopener noreferrer">{service.repositoryUrl}</a>
        </p>
      )}
      {service.tags.length > 0 && (
        <ul class="tags" aria-label="Tags">
          {service.tags.map((t) => <li key={t}><a class="tag" href={href("services", {}, { tag: t })}>{t}</a></li>)}
        </ul>
      )}
      <p class="badges">
        <ScoreBadge score={service.readiness.score} ready={service.readiness.ready} />
        {scans.data?.map((s) => <GradeBadge key={s.environment} grade={s.grade} label={`Scan (${s.environment})`} />)}
      </p>
      <p class={service.readiness.ready ? "status-good" : "status-bad"}>
        <strong>{service.readiness.ready ? "Ready" : "Not ready"}:</strong> {service.readiness.reason}
      </p>

      <section aria-labelledby="environments-heading" class="separated">
        <h2 id="environments-heading">Environments</h2>
        {service.environments.length === 0 ? (
          <p class="muted">No environments. {canWrite && <a href={href("editService", { id: service.id })}>Add one</a>}</p>
        ) : (
          <div class="table-scroll" role="region" aria-label="Environments table" tabIndex={0}>
            <table>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Base URL</th>
                  <th scope="col">Profile</th>
                  <th scope="col">Latest scan</th>
                </tr>
              </thead>
              <tbody>
                {service.environments.map((environment) => {
                  const scan = scans.data?.find((s) => s.environment === environment.name);
                  return (
                    <tr key={environment.name}>
                      <th scope="row">{environment.name}</th>
                      <td><code>{environment.baseUrl}</code></td>
                      <td>{environment.profile === "Api" ? "API" : "Web page"}</td>
                      <td>
                        {scan ? (
                          <a href={href("scan", { id: service.id, scanId: String(scan.scanId) })}>
                            {scan.grade} ({scan.score}) <span class="visually-hidden">, scan {scan.scanId} of {environment.name}</span>
                          </a>
                        ) : (
                          <a href={href("scans", { id: service.id })}>Not scanned yet</a>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section aria-labelledby="review-heading" class="separated">
        <h2 id="review-heading">Readiness review</h2>
        {!currentId ? (
          <div class="stack">
            <p>This service has no review yet. A review goes through the production-readiness checklist item by item.</p>
            <ErrorMessage error={start.error} title="The review could not be started" />
            {canWrite && <button type="button" onClick={startReview} disabled={start.busy}>Start a review</button>}
          </div>
        ) : (
          <ReviewPanel key={currentId} reviewId={currentId} serviceId={service.id} userId={account.id} canWrite={canWrite} members={team?.members ?? []}
            onChanged={context.reload} startNew={canWrite ? { run: startReview, busy: start.busy, error: start.error } : undefined} />
        )}
      </section>
    </>
  );
}
