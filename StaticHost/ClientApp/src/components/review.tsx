import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import { api, get, isConflict, reloadedAfterConflict, type ApiResponse } from "../lib/api";
import { useAction, useResource } from "../lib/hooks";
import { readDraft, useDraft } from "../lib/drafts";
import { setServerSanitizedHtml } from "../lib/trusted-html";
import type { ItemStatus, Member, Review, ReviewItem } from "../lib/types";
import { EvidencePanel } from "./evidence";
import { ConfirmButton, ErrorMessage, LoadFailure, Loading, NotFound, When, percent } from "./ui";
import { WaiverPanel } from "./waiver";

const statusLabels: Record<ItemStatus, string> = {
  NotStarted: "Not started",
  InProgress: "In progress",
  Done: "Done",
  AtRisk: "At risk",
  Waived: "Waived",
};

/** The statuses a person sets here; a waiver has its own request and approval (WaiverPanel). */
const settable: ItemStatus[] = ["NotStarted", "InProgress", "Done", "AtRisk"];

/** How long typing must pause before the notes are sent for a preview. */
const PREVIEW_DELAY_MS = 300;

/**
 * The server's rendering of `markdown` (the same renderer and sanitizer as saved notes), asked for once typing pauses;
 * each newer text aborts the request for the older one. The saved notes' own HTML needs no request.
 */
function useMarkdownPreview(markdown: string, saved: string, savedHtml: string) {
  const [preview, setPreview] = useState<{ markdown: string; html: string } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const unsaved = markdown !== saved && markdown.trim() !== "";
  useEffect(() => {
    setError(null);
    if (!unsaved) return;
    const controller = new AbortController();
    const timer = window.setTimeout(() => {
      api<{ html: string }>("POST", "/api/markdown/preview", { body: { markdown }, signal: controller.signal }).then(
        (response) => setPreview({ markdown, html: response.data.html }),
        (failure: unknown) => !controller.signal.aborted && setError(failure),
      );
    }, PREVIEW_DELAY_MS);
    return () => {
      window.clearTimeout(timer);
      controller.abort();
    };
  }, [markdown, unsaved]);
  if (!unsaved) return { html: markdown === saved ? savedHtml : "", current: true, error: null };
  return { html: preview?.html ?? savedHtml, current: preview?.markdown === markdown, error };
}

/** HTML the server rendered from the notes' Markdown and sanitized; inserted through the Trusted Types policy only. */
export function SanitizedHtml({ html, class: className, label, busy }: { html: string; class?: string; label?: string; busy?: boolean }) {
  const ref = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => {
    if (ref.current) setServerSanitizedHtml(ref.current, html);
  }, [html]);
  return <div ref={ref} class={className} role={label ? "region" : undefined} aria-label={label} aria-busy={busy} />;
}

export function ReviewPanel({ reviewId, serviceId, userId, canWrite, members, onChanged, startNew }: {
  reviewId: string;
  /** The service whose pages show the review: a review of another service is not found here. */
  serviceId: string;
  /** The signed-in user: the approver a waiver may name. */
  userId: string;
  canWrite: boolean;
  members: Member[];
  onChanged: () => void;
  /** Starting the next review once this one is completed: the service page's action, its state shown here. */
  startNew?: { run: () => void; busy: boolean; error: unknown } | undefined;
}) {
  const review = useResource((signal) => get<Review>(`/api/reviews/${reviewId}`, signal), [reviewId]);
  const [announcement, setAnnouncement] = useState("");
  const pending = useRef<string | null>(null);
  const complete = useAction();

  // Each change reloads the review: the scores and the other items' entity tags come from the server. Once the new
  // review is in, a screen reader hears what changed and the new score; if the reload failed, only what changed (the
  // score on screen is the old one, and the failure is its own alert).
  const changed = (message: string) => {
    pending.current = message;
    review.reload();
    onChanged();
  };
  // A change refused because the item or the review changed meanwhile: the reload shows what did, and brings the
  // entity tag the next try needs (without it, every try is refused again until the page is reloaded).
  const stale = () => {
    review.reload();
    onChanged();
  };
  useEffect(() => {
    if (!review.loading && review.data && pending.current) {
      setAnnouncement(review.error ? pending.current : `${pending.current} Score ${percent(review.data.score)}.`);
      pending.current = null;
    }
  }, [review.loading, review.data, review.error]);

  if (review.error && !review.data) return <LoadFailure error={review.error} what="Review" />;
  if (!review.data) return <Loading label="Loading the review…" />;
  if (review.data.serviceId !== serviceId) return <NotFound what="Review" />;
  const data = review.data;
  const open = data.state === "Open";
  const writable = canWrite && open;

  const completeReview = async () => {
    const done = await complete.run(() => api("POST", `/api/reviews/${data.id}/complete`, { ifMatch: data.etag }));
    if (done) changed("Review completed.");
  };

  return (
    <div class="stack">
      <p class="sr-status visually-hidden" role="status" aria-live="polite">{announcement}</p>
      <ErrorMessage error={review.error} title="The review could not be brought up to date; its scores and items may show an older state" />
      <div class="review-summary card">
        <p class="big-score">
          <span class="visually-hidden">Review score: </span>
          <strong id="review-score">{percent(data.score)}</strong>
          <span class="muted"> of the checklist; tier {data.tier} needs {percent(data.readiness.required)}</span>
        </p>
        <p class={data.readiness.ready ? "status-good" : "status-bad"}>
          <strong>{data.readiness.ready ? "Tier met" : "Tier not met"}:</strong> {data.readiness.reason}
        </p>
        <p class="muted small">
          Checklist {data.checklistId} v{data.checklistVersion} · started <When at={data.startedAt} />
          {data.completedAt ? <> · completed <When at={data.completedAt} /></> : " · open"}
        </p>
        {writable && (
          <div class="actions">
            <ConfirmButton label="Complete review" confirmLabel="Yes, complete and freeze the review" busy={complete.busy} onConfirm={completeReview} />
          </div>
        )}
        {!open && startNew && (
          <>
            <div class="actions">
              <button type="button" onClick={startNew.run} disabled={startNew.busy}>Start a new review</button>
            </div>
            <ErrorMessage error={startNew.error} title="The new review could not be started" />
          </>
        )}
        <ErrorMessage error={complete.error} title="The review could not be completed" />
        {!open && <p>This review is completed and frozen.</p>}
      </div>

      <SectionScores review={data} />

      <h3 id="checklist-heading">Checklist</h3>
      {data.sections.map((section) => {
        const items = data.items.filter((i) => i.sectionId === section.sectionId);
        return (
          <section key={section.sectionId} class="checklist-section" aria-labelledby={`section-${section.sectionId}`}>
            <h4 id={`section-${section.sectionId}`}>
              {section.title} <span class="muted small">({section.done + section.waived} of {section.total} done, {percent(section.score)})</span>
            </h4>
            <ol class="items">
              {items.map((item) => (
                <ReviewItemRow key={item.itemId} reviewId={data.id} item={item} writable={writable} reviewOpen={open} userId={userId}
                  members={members} onChanged={changed} onStale={stale} />
              ))}
            </ol>
          </section>
        );
      })}
    </div>
  );
}

function SectionScores({ review }: { review: Review }) {
  return (
    <div class="table-scroll" role="region" aria-labelledby="section-scores-caption" tabIndex={0}>
      <table class="section-scores">
        <caption id="section-scores-caption">Score per section</caption>
        <thead>
          <tr>
            <th scope="col">Section</th>
            <th scope="col">Done</th>
            <th scope="col">Waived</th>
            <th scope="col">Items</th>
            <th scope="col">Score</th>
          </tr>
        </thead>
        <tbody>
          {review.sections.map((section) => (
            <tr key={section.sectionId}>
              <th scope="row">{section.title}</th>
              <td>{section.done}</td>
              <td>{section.waived}</td>
              <td>{section.total}</td>
              <td>
                <span class="score-cell">
                  <meter min={0} max={1} low={0.5} high={0.9} optimum={1} value={section.score} aria-label={`${section.title} score`} />
                  {percent(section.score)}
                </span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** What the parts of a review item need: the item, what the reader may do with it, and where a change is reported. */
export interface ItemProps {
  item: ReviewItem;
  writable: boolean;
  reviewOpen: boolean;
  /** The signed-in user. */
  userId: string;
  members: Member[];
  /** After a write, with what was said and the item as the write left it. */
  onChanged: (message: string, saved: ReviewItem) => void;
  /** Sends a write of the item after the ones before it, with the entity tag it should match. */
  write: ItemWrite;
}

export type ItemWrite = (send: (ifMatch: string) => Promise<ApiResponse<ReviewItem>>) => Promise<ApiResponse<ReviewItem>>;

function ReviewItemRow({ reviewId, item: loaded, onChanged, onStale, ...rest }: Omit<ItemProps, "write"> & { reviewId: string; onStale: () => void }) {
  // Every write answers with the item: that is the item until the review's reload brings it again, and stays it if
  // the reload fails. The next write sends its entity tag, not the one the write made stale (a 412), and the row
  // shows what was saved, not the status it had before.
  const [written, setWritten] = useState<ReviewItem | null>(null);
  useEffect(() => setWritten(null), [loaded]);
  const item = written ?? loaded;
  const saved = (message: string, answer: ReviewItem) => {
    setWritten(answer);
    onChanged(message, answer);
  };
  // Writes of the item go one at a time, each with the entity tag the one before answered: two parts changed at
  // once (a status while the notes save) are both saved, the second not refused as stale (412).
  const etag = useRef(loaded.etag);
  useEffect(() => {
    etag.current = loaded.etag;
  }, [loaded]);
  const lastWrite = useRef<Promise<unknown>>(Promise.resolve());
  const write: ItemWrite = (send) => {
    const next = lastWrite.current.catch(() => undefined).then(async () => {
      try {
        const answer = await send(etag.current);
        etag.current = answer.data.etag;
        return answer;
      } catch (error) {
        if (isConflict(error)) onStale();
        throw reloadedAfterConflict(error, "item");
      }
    });
    lastWrite.current = next;
    return next;
  };
  const props = { ...rest, item, onChanged: saved, write };
  const { writable, members, userId } = props;
  const status = useAction();
  const statusId = `status-${item.itemId}`;
  const path = `/api/reviews/${reviewId}/items/${encodeURIComponent(item.itemId)}`;
  // Notes typed and not saved (the session expired on the save, say) open the details, where they are back.
  const [open, setOpen] = useState(() => writable && readDraft(userId, notesDraftKey(path)) !== null);
  const assignee = members.find((m) => m.userId === item.assigneeId);

  const setStatus = async (value: ItemStatus) => {
    const answer = await status.run(() => write((ifMatch) => api<ReviewItem>("PATCH", path, { body: { status: value }, ifMatch })));
    if (answer) saved(`${item.itemId} is now ${statusLabels[value].toLowerCase()}.`, answer.data);
  };

  return (
    <li class={`item item-${item.effectiveStatus}`} id={`item-${item.itemId}`}>
      <div class="item-head">
        <p class="item-title">
          <span class="item-id">{item.itemId}</span> {item.title}
        </p>
        <div class="item-status">
          <label for={statusId}>
            Status<span class="visually-hidden"> of {item.itemId}</span>
          </label>
          <select id={statusId} value={item.status} disabled={!writable || status.busy} onChange={(e) => void setStatus(e.currentTarget.value as ItemStatus)}>
            {(settable.includes(item.status) ? settable : [...settable, item.status]).map((s) => (
              <option key={s} value={s} disabled={!settable.includes(s)}>{statusLabels[s]}</option>
            ))}
          </select>
          {item.effectiveStatus !== item.status && (
            <span class={`badge badge-${item.effectiveStatus === "AtRisk" ? "bad" : "warn"}`}>counts as {statusLabels[item.effectiveStatus].toLowerCase()}</span>
          )}
        </div>
      </div>
      <ErrorMessage error={status.error} title={`The status of ${item.itemId} could not be saved`} />
      {item.riskReason && <p class="status-bad small">{item.riskReason}</p>}
      <p class="item-meta muted small">
        {assignee ? `Assigned to ${assignee.email}` : item.assigneeId ? "Assigned" : "Unassigned"}
        {item.dueOn ? <> · due <When at={item.dueOn} dateOnly /></> : null}
        {item.notes ? " · has notes" : ""}
      </p>
      <WaiverPanel path={path} {...props} />
      {item.notesHtml && !open && <SanitizedHtml class="markdown" html={item.notesHtml} label={`Notes on ${item.itemId}`} />}
      <details class="item-details" open={open} onToggle={(e) => setOpen(e.currentTarget.open)}>
        <summary>Notes, assignee, due date and evidence<span class="visually-hidden"> for {item.itemId}</span></summary>
        {open && (
          <div class="stack item-body">
            <ItemDetailsForm path={path} item={item} writable={writable} userId={userId} members={members} onSaved={saved} write={write} />
            {item.scanFindings.length > 0 && (
              <div>
                <h5>What scans saw</h5>
                <ul class="findings-mini">
                  {item.scanFindings.map((f) => (
                    <li key={`${f.scanId}-${f.findingId}`} class={f.passed ? "status-good" : "status-bad"}>
                      {f.passed ? "Passed" : "Failed"}: {f.summary}
                    </li>
                  ))}
                </ul>
              </div>
            )}
            <EvidencePanel reviewId={reviewId} itemId={item.itemId} writable={writable} />
          </div>
        )}
      </details>
    </li>
  );
}

const notesDraftKey = (path: string) => `${path}:notes`;

function ItemDetailsForm({ path, item, writable, userId, members, onSaved, write }: {
  path: string;
  item: ReviewItem;
  writable: boolean;
  userId: string;
  members: Member[];
  onSaved: (message: string, saved: ReviewItem) => void;
  write: ItemWrite;
}) {
  const draftKey = notesDraftKey(path);
  const [notes, setNotes] = useState(() => (writable ? readDraft(userId, draftKey) : null) ?? item.notes);
  const [assigneeId, setAssigneeId] = useState(item.assigneeId ?? "");
  const [dueOn, setDueOn] = useState(item.dueOn ?? "");
  const save = useAction();
  const id = item.itemId;
  const preview = useMarkdownPreview(notes, item.notes, item.notesHtml);

  // A save or a reload brings the server's notes; they replace the text only when that loses nothing typed: when it
  // held the notes as they were, or exactly what a save sent. Text typed while the save was on its way, or not saved
  // when someone else's notes arrive, stays, and stays a draft. Not on the first render, which may have brought a
  // draft back.
  const mounted = useRef(false);
  const shown = useRef(item.notes);
  const sent = useRef<string | null>(null);
  useEffect(() => {
    if (mounted.current) setNotes((current) => (current === shown.current || current === sent.current ? item.notes : current));
    mounted.current = true;
    shown.current = item.notes;
    sent.current = null;
  }, [item.notes]);
  useDraft(userId, draftKey, writable && notes !== item.notes ? notes : null);
  useEffect(() => setAssigneeId(item.assigneeId ?? ""), [item.assigneeId]);
  useEffect(() => setDueOn(item.dueOn ?? ""), [item.dueOn]);

  const dirty = notes !== item.notes || assigneeId !== (item.assigneeId ?? "") || dueOn !== (item.dueOn ?? "");

  const submit = async (event: Event) => {
    event.preventDefault();
    const body: Record<string, unknown> = {};
    if (notes !== item.notes) body["notes"] = notes;
    if (assigneeId !== (item.assigneeId ?? "")) body["assigneeId"] = assigneeId;
    if (dueOn !== (item.dueOn ?? "")) {
      if (dueOn) body["dueOn"] = dueOn;
      else body["clearDueOn"] = true;
    }
    const ok = await save.run(() => write((ifMatch) => api<ReviewItem>("PATCH", path, { body, ifMatch })));
    if (ok) {
      if (typeof body["notes"] === "string") sent.current = body["notes"];
      onSaved(`${id} saved.`, ok.data);
    }
  };

  return (
    <form class="stack" onSubmit={submit}>
      <div class="field">
        <label for={`notes-${id}`}>Notes<span class="visually-hidden"> on {id}</span> (Markdown)</label>
        <textarea id={`notes-${id}`} rows={5} maxLength={20000} value={notes} readOnly={!writable}
          aria-describedby={`notes-hint-${id}`} onInput={(e) => setNotes(e.currentTarget.value)} />
        <p class="hint" id={`notes-hint-${id}`}>Markdown: **bold**, *italic*, `code`, [links](https://example.com), lists. HTML is shown as text.</p>
      </div>
      {/* Not a live region: a screen reader would read the whole preview again at every pause in typing. */}
      <div class="preview" aria-live="off">
        <h5 id={`preview-${id}`}>Preview</h5>
        {preview.html ? (
          <SanitizedHtml class={preview.current ? "markdown" : "markdown markdown-stale"} html={preview.html} busy={!preview.current}
            label={`Preview of the notes on ${id}`} />
        ) : (
          <p class="muted small">{notes.trim() ? "Rendering the preview…" : "No notes yet."}</p>
        )}
        <ErrorMessage error={preview.error} title="The preview could not be rendered" />
      </div>
      <div class="field-row">
        <div class="field">
          <label for={`assignee-${id}`}>Assignee<span class="visually-hidden"> of {id}</span></label>
          <select id={`assignee-${id}`} value={assigneeId} disabled={!writable} onChange={(e) => setAssigneeId(e.currentTarget.value)}>
            <option value="">Unassigned</option>
            {members.map((m) => <option key={m.userId} value={m.userId}>{m.email}</option>)}
            {item.assigneeId && !members.some((m) => m.userId === item.assigneeId) && <option value={item.assigneeId}>Someone no longer in the team</option>}
          </select>
        </div>
        <div class="field">
          <label for={`due-${id}`}>Due date<span class="visually-hidden"> of {id}</span></label>
          <input id={`due-${id}`} type="date" value={dueOn} readOnly={!writable} onInput={(e) => setDueOn(e.currentTarget.value)} />
        </div>
      </div>
      <ErrorMessage error={save.error} title={`${id} could not be saved`} />
      {writable && (
        <div class="actions">
          <button type="submit" disabled={save.busy || !dirty}>Save {id}</button>
          {dueOn && <button type="button" class="button-secondary" onClick={() => setDueOn("")}>Clear due date</button>}
        </div>
      )}
    </form>
  );
}
