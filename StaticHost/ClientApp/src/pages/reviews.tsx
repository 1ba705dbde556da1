import { ReviewPanel } from "../components/review";
import { ServiceNav } from "../components/service-nav";
import { ErrorMessage, LoadFailure, Loading, PageHeading, PageNotReady, Pager, When, percent } from "../components/ui";
import { get } from "../lib/api";
import { useResource } from "../lib/hooks";
import { href, type Route } from "../lib/router";
import type { Account, Page, ReviewSummary } from "../lib/types";
import { canWriteAs, useServiceContext } from "./service";

const PAGE_SIZE = 20;

/** Every review of a service, the open one first, then newest first; a completed one as it was frozen. */
export function ReviewsPage({ route }: { route: Route }) {
  const id = route.params["id"]!;
  const page = Math.max(1, Number(route.query.get("page")) || 1);
  const context = useServiceContext(id);
  const reviews = useResource(
    (signal) => get<Page<ReviewSummary>>(`/api/services/${encodeURIComponent(id)}/reviews?page=${page}&pageSize=${PAGE_SIZE}`, signal),
    [id, page],
  );

  const name = context.data?.service.name;
  return (
    <>
      <PageHeading title={name ? `Reviews of ${name}` : "Reviews"} />
      {context.error ? (
        <LoadFailure error={context.error} what="Service" />
      ) : (
        <>
          <ServiceNav id={id} current="reviews" />
          {reviews.error ? (
            <ErrorMessage error={reviews.error} title="The reviews could not be loaded" />
          ) : !reviews.data ? (
            <Loading label="Loading the reviews…" />
          ) : reviews.data.total === 0 ? (
            <p class="muted">
              No review yet. <a href={href("service", { id })}>Start one on the overview</a>.
            </p>
          ) : reviews.data.items.length === 0 ? (
            <p class="muted">
              This page is past the last review. <a href={href("reviews", { id })}>Back to the newest</a>.
            </p>
          ) : (
            <>
              <p class="muted small">{reviews.data.total === 1 ? "1 review" : `${reviews.data.total} reviews, the open one first, then newest first`}.</p>
              <div class="table-scroll" role="region" aria-label="Reviews table" tabIndex={0}>
                <table>
                  <thead>
                    <tr>
                      <th scope="col">Started</th>
                      <th scope="col">State</th>
                      <th scope="col">Completed</th>
                      <th scope="col">Checklist</th>
                      <th scope="col">Score</th>
                    </tr>
                  </thead>
                  <tbody>
                    {reviews.data.items.map((review) => (
                      <tr key={review.id}>
                        <th scope="row">
                          <a href={href("review", { id, reviewId: review.id })}>
                            <When at={review.startedAt} />
                            <span class="visually-hidden">, {review.state === "Open" ? "the open review" : "a completed review"}</span>
                          </a>
                        </th>
                        <td>{review.state}</td>
                        <td><When at={review.completedAt} /></td>
                        <td>{review.checklistId} v{review.checklistVersion}</td>
                        <td>{percent(review.score)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <Pager page={reviews.data.pageNumber} pageSize={reviews.data.pageSize} total={reviews.data.total}
                link={(p) => href("reviews", { id }, { page: p > 1 ? p : null })} label="Pages of the reviews" />
            </>
          )}
        </>
      )}
    </>
  );
}

/** One review of the service, open or completed, as the overview shows the current one. */
export function ReviewPage({ id, reviewId, account }: { id: string; reviewId: string; account: Account }) {
  const context = useServiceContext(id);
  if (!context.data) {
    return <PageNotReady title="Review" error={context.error} what="Service" loadingLabel="Loading the service…" />;
  }

  const { service, role, team } = context.data;
  return (
    <>
      <PageHeading title={`Review of ${service.name}`} />
      <ServiceNav id={id} current="reviews" />
      <ErrorMessage error={context.error} title="The service could not be brought up to date; the page may show an older state" />
      <ReviewPanel reviewId={reviewId} serviceId={service.id} userId={account.id} canWrite={canWriteAs(role)}
        members={team?.members ?? []} onChanged={context.reload} />
    </>
  );
}
