import { useEffect, useState } from "preact/hooks";
import { ErrorMessage, GradeBadge, Loading, PageHeading, Pager, ScoreBadge } from "../components/ui";
import { get } from "../lib/api";
import { useResource } from "../lib/hooks";
import { href, navigate, type Route } from "../lib/router";
import type { LatestScan, Page, Service, Team } from "../lib/types";

const PAGE_SIZE = 20;

/** The grade to show for a service: its production environment's latest scan, else its most recent one. */
export function headlineScan(scans: LatestScan[]): LatestScan | undefined {
  return scans.find((s) => s.environment === "production") ?? [...scans].sort((a, b) => b.finishedAt.localeCompare(a.finishedAt))[0];
}

export function ServicesPage({ route }: { route: Route }) {
  const search = route.query.get("search") ?? "";
  const tag = route.query.get("tag") ?? "";
  const page = Math.max(1, Number(route.query.get("page")) || 1);
  const [searchText, setSearchText] = useState(search);
  useEffect(() => setSearchText(search), [search]);

  const services = useResource(async (signal) => {
    const query = new URLSearchParams({ page: String(page), pageSize: String(PAGE_SIZE), sort: "name" });
    if (search) query.set("search", search);
    if (tag) query.set("tag", tag);
    const list = await get<Page<Service>>(`/api/services?${query}`, signal);
    // Grades in one call for the whole page, next to the list rather than one call per service.
    const ids = list.items.map((s) => `serviceId=${encodeURIComponent(s.id)}`).join("&");
    const scans = ids ? await get<LatestScan[]>(`/api/scans/latest?${ids}`, signal).catch(() => [] as LatestScan[]) : [];
    return { list, scans, search, tag };
  }, [search, tag, page]);
  const teams = useResource((signal) => get<Team[]>("/api/teams", signal), []);
  const teamName = (id: string) => teams.data?.find((t) => t.id === id)?.name;
  const canCreate = teams.data?.some((t) => t.myRole !== "Viewer") ?? false;

  const link = (changes: { search?: string; tag?: string; page?: number }) =>
    href("services", {}, { search: changes.search ?? search, tag: changes.tag ?? tag, page: changes.page && changes.page > 1 ? changes.page : null });

  const submit = (event: Event) => {
    event.preventDefault();
    navigate(link({ search: searchText.trim(), page: 1 }));
  };

  const data = services.data;
  // One status line that is always there, so a screen reader hears every answer to a search, none included: a live
  // region added with its text is not announced. It says what the list on screen answers (not the search being
  // typed or loaded), is blank while a new answer loads, and names the search, so two searches in a row are both heard.
  const summary = !data || services.error || services.loading ? ""
    : data.list.total > 0 ? `${data.list.total} ${data.list.total === 1 ? "service" : "services"}${data.search ? ` matching “${data.search}”` : ""}`
    : data.search ? `No service matches “${data.search}”${data.tag ? ` with the tag ${data.tag}` : ""}.`
    : data.tag ? `No service has the tag ${data.tag}.`
    : "No services yet.";
  return (
    <>
      <div class="page-head">
        <PageHeading title="Services" />
        {canCreate && <a class="button" href={href("newService")}>New service</a>}
      </div>

      <form role="search" class="search" onSubmit={submit}>
        <label for="service-search">Search services</label>
        <div class="inline">
          <input id="service-search" type="search" name="search" maxLength={100} placeholder="Name or slug"
            value={searchText} onInput={(e) => setSearchText(e.currentTarget.value)} />
          <button type="submit">Search</button>
        </div>
      </form>
      {tag && (
        <p class="filter">
          Showing services tagged <span class="tag">{tag}</span>{" "}
          <a href={link({ tag: "", page: 1 })}>Show all tags</a>
        </p>
      )}

      <p class={data && data.list.total === 0 ? "empty" : "muted"} role="status">{summary}</p>
      {services.error ? (
        <ErrorMessage error={services.error} title="Services could not be loaded" />
      ) : !data ? (
        <Loading label="Loading services…" />
      ) : data.list.items.length === 0 ? (
        // Services to show, none on this page (a link kept after some were deleted): the way back, for want of a pager.
        data.list.total > 0 ? (
          <p class="muted">
            This page is past the last service. <a href={link({ page: 1 })}>Back to page 1</a>.
          </p>
        ) : (
          !search && !tag && teams.data?.length === 0 && (
            <p>
              Services belong to teams. <a href={href("teams")}>Create a team</a> first.
            </p>
          )
        )
      ) : (
        <>
          <ul class="cards" aria-label="Services">
            {data.list.items.map((service) => {
              const scan = headlineScan(data.scans.filter((s) => s.serviceId === service.id));
              return (
                <li key={service.id} class="card service-card">
                  <h2 class="card-title">
                    <a href={href("service", { id: service.id })}>{service.name}</a>
                  </h2>
                  <p class="muted small">
                    {service.slug} · tier {service.tier}
                    {teamName(service.teamId) ? ` · ${teamName(service.teamId)}` : ""}
                  </p>
                  {service.description && <p class="clamp">{service.description}</p>}
                  <p class="badges">
                    <ScoreBadge score={service.readiness.score} ready={service.readiness.ready} />
                    <GradeBadge grade={scan?.grade} label={scan ? `Scan (${scan.environment})` : "Scan"} />
                  </p>
                  {service.tags.length > 0 && (
                    <ul class="tags" aria-label={`Tags of ${service.name}`}>
                      {service.tags.map((t) => (
                        <li key={t}>
                          <a class="tag" href={link({ tag: t, page: 1 })} aria-label={`Show services tagged ${t}`}>{t}</a>
                        </li>
                      ))}
                    </ul>
                  )}
                </li>
              );
            })}
          </ul>
          <Pager page={data.list.pageNumber} pageSize={data.list.pageSize} total={data.list.total}
            link={(p) => link({ page: p })} label="Pages of services" />
        </>
      )}
    </>
  );
}
