import { useEffect, useRef, useState } from "preact/hooks";
import { api } from "../lib/api";
import { readDraft, useDraft, writeDraft } from "../lib/drafts";
import { useAction } from "../lib/hooks";
import type { Member, ReviewItem, Waiver } from "../lib/types";
import type { ItemProps, ItemWrite } from "./review";
import { ErrorMessage, Field, fieldErrors, When } from "./ui";

const DEFAULT_DAYS = 30;

const stateBadges: Record<Waiver["state"], { label: string; band: string }> = {
  Pending: { label: "Waiver pending approval", band: "warn" },
  Active: { label: "Waiver approved", band: "good" },
  Expired: { label: "Waiver expired", band: "bad" },
};

/** Where a waiver's reason being typed is kept until it is sent (lib/drafts.ts). */
const reasonDraftKey = (path: string) => `${path}:waiver-reason`;

/** A date `days` after today as the API reads dates: its "today" is the UTC date. */
const utcDate = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

/**
 * An item's waiver: its state, the approval button for the owner it names while it is pending, and the request form.
 * A waiver counts (the item is left out of the score) only once approved and until it expires.
 */
export function WaiverPanel({ path, item, writable, reviewOpen, userId, members, onChanged, write }: ItemProps & { path: string }) {
  // A reason typed and not sent (the session expired on the request, say) opens the form again, with it.
  const [requesting, setRequesting] = useState(() => writable && readDraft(userId, reasonDraftKey(path)) !== null);
  const approve = useAction();
  const requestButton = useRef<HTMLButtonElement>(null);
  const waiver = item.waiver;
  const who = (id: string) => (id === userId ? "you" : members.find((m) => m.userId === id)?.email ?? "someone no longer in the team");
  const id = item.itemId;

  const approveWaiver = async () => {
    const approved = await approve.run(() => write((ifMatch) => api<ReviewItem>("POST", `${path}/waiver/approve`, { ifMatch })));
    if (approved) onChanged(`The waiver of ${id} is approved.`, approved.data);
  };
  const closeForm = () => {
    setRequesting(false);
    // The form held focus; give it back to the button that opened it.
    window.setTimeout(() => requestButton.current?.focus());
  };

  if (!waiver && !writable) return null;
  return (
    <div class="waiver">
      {waiver && (
        <p class="small">
          <span class={`badge badge-${stateBadges[waiver.state].band}`}>{stateBadges[waiver.state].label}</span>{" "}
          {waiver.state === "Pending" && <>by {who(waiver.approverId)}; requested by {who(waiver.requestedBy)}, until <When at={waiver.expiresOn} dateOnly />.</>}
          {waiver.state === "Active" && <>by {who(waiver.approverId)}{waiver.approvedAt && <> on <When at={waiver.approvedAt} dateOnly /></>}; until <When at={waiver.expiresOn} dateOnly />.</>}
          {waiver.state === "Expired" && <>on <When at={waiver.expiresOn} dateOnly />: the item counts as not started again.</>}
          {" "}Reason: {waiver.reason}
        </p>
      )}
      {waiver?.state === "Pending" && reviewOpen && waiver.approverId === userId && (
        <div class="actions">
          <button type="button" onClick={approveWaiver} disabled={approve.busy}>
            Approve waiver<span class="visually-hidden"> of {id}</span>
          </button>
        </div>
      )}
      <ErrorMessage error={approve.error} title={`The waiver of ${id} could not be approved`} />
      {writable && (!waiver || waiver.state === "Expired") && (requesting ? (
        <WaiverForm path={path} item={item} userId={userId} members={members} write={write} onCancel={closeForm}
          onRequested={(message, saved) => { closeForm(); onChanged(message, saved); }} />
      ) : (
        <div class="actions">
          <button type="button" class="button-secondary" ref={requestButton} onClick={() => setRequesting(true)}>
            Request {waiver ? "a new waiver" : "waiver"}<span class="visually-hidden"> for {id}</span>
          </button>
        </div>
      ))}
    </div>
  );
}

function WaiverForm({ path, item, userId, members, write, onCancel, onRequested }: {
  path: string;
  item: ReviewItem;
  userId: string;
  members: Member[];
  write: ItemWrite;
  onCancel: () => void;
  onRequested: (message: string, saved: ReviewItem) => void;
}) {
  // Another owner approves; only a team whose one owner is the requester lets them name themselves (approved at once).
  const owners = members.filter((m) => m.role === "Owner");
  const others = owners.filter((m) => m.userId !== userId);
  const approvers = others.length > 0 ? others : owners;
  const draftKey = reasonDraftKey(path);
  const [reason, setReason] = useState(() => readDraft(userId, draftKey) ?? "");
  const [approverId, setApproverId] = useState(approvers[0]?.userId ?? "");
  const [expiresOn, setExpiresOn] = useState(utcDate(DEFAULT_DAYS));
  const request = useAction();
  const errors = fieldErrors(request.error);
  const reasonRef = useRef<HTMLTextAreaElement>(null);
  const id = item.itemId;
  useEffect(() => reasonRef.current?.focus(), []);
  useDraft(userId, draftKey, reason.trim() ? reason : null);
  const cancel = () => {
    writeDraft(userId, draftKey, null);
    onCancel();
  };

  const submit = async (event: Event) => {
    event.preventDefault();
    const sent = await request.run(() => write((ifMatch) => api<ReviewItem>("PATCH", path, {
      body: { status: "Waived", waiver: { reason: reason.trim(), approverId, expiresOn } },
      ifMatch,
    })));
    if (sent) {
      writeDraft(userId, draftKey, null);
      onRequested(sent.data.waiver?.state === "Active"
        ? `${id} is waived.`
        : `Waiver of ${id} requested; it counts once ${members.find((m) => m.userId === approverId)?.email ?? "the approver"} approves it.`, sent.data);
    }
  };

  return (
    <form class="card stack waiver-form" onSubmit={submit} aria-labelledby={`waiver-heading-${id}`}>
      <h5 id={`waiver-heading-${id}`}>Request a waiver<span class="visually-hidden"> for {id}</span></h5>
      <Field label="Reason" hint="Why the item does not apply, or how its risk is accepted." error={errors("waiver.reason")}>
        {(props) => (
          <textarea {...props} ref={reasonRef} rows={3} required maxLength={2000} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
        )}
      </Field>
      <div class="field-row">
        <Field label="Approver" hint="An owner of the team." error={errors("waiver.approverId")}>
          {(props) => (
            <select {...props} required value={approverId} onChange={(e) => setApproverId(e.currentTarget.value)}>
              {approvers.map((m) => (
                <option key={m.userId} value={m.userId}>{m.userId === userId ? `${m.email} (you, the only owner)` : m.email}</option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Expires on" hint="After today; the item counts as not done again from then." error={errors("waiver.expiresOn")}>
          {(props) => <input {...props} type="date" required min={utcDate(1)} value={expiresOn} onInput={(e) => setExpiresOn(e.currentTarget.value)} />}
        </Field>
      </div>
      {approvers.length === 0 && <p class="status-bad small">The team's owners could not be loaded, so no approver can be named.</p>}
      <ErrorMessage error={request.error} title={`The waiver of ${id} could not be requested`} />
      <div class="actions">
        <button type="submit" disabled={request.busy || approvers.length === 0}>Request waiver</button>
        <button type="button" class="button-secondary" onClick={cancel}>Cancel</button>
      </div>
    </form>
  );
}
