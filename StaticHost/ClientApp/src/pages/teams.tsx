import { useState } from "preact/hooks";
import { ConfirmButton, ErrorMessage, Field, fieldErrors, Loading, PageHeading, PageNotReady, When } from "../components/ui";
import { api, get, isConflict, reloadedAfterConflict } from "../lib/api";
import { readJsonDraft, useJsonDraft, writeJsonDraft } from "../lib/drafts";
import { useAction, useIdempotencyKey, useResource } from "../lib/hooks";
import { href, navigate } from "../lib/router";
import type { Account, Member, Team, TeamDetail, TeamRole } from "../lib/types";

const roles: TeamRole[] = ["Viewer", "Maintainer", "Owner"];
const roleHelp: Record<TeamRole, string> = {
  Viewer: "reads everything",
  Maintainer: "also registers services, keeps reviews and runs scans",
  Owner: "also manages members and approves waivers",
};

const slugify = (text: string) =>
  text.toLowerCase().normalize("NFKD").replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 64).replace(/-+$/, "");

/** A form's fields as typed and not saved (the session expired on the save, say), kept until saved (lib/drafts.ts). */
interface NewTeamDraft {
  name: string;
  slug: string;
  slugEdited: boolean;
}

interface NewMemberDraft {
  email: string;
  role: TeamRole;
}

const newTeamDraftKey = "team-form:new";
const newMemberDraftKey = (teamId: string) => `team-member:${teamId}`;

export function TeamsPage({ account }: { account: Account }) {
  const teams = useResource((signal) => get<Team[]>("/api/teams", signal), []);
  const [draft] = useState(() => readJsonDraft<NewTeamDraft>(account.id, newTeamDraftKey));
  const [name, setName] = useState(draft?.name ?? "");
  const [slug, setSlug] = useState(draft?.slug ?? "");
  const [slugEdited, setSlugEdited] = useState(draft?.slugEdited ?? false);
  const key = useIdempotencyKey();
  const create = useAction();
  const errors = fieldErrors(create.error);
  useJsonDraft(account.id, newTeamDraftKey, name || slug ? { name, slug, slugEdited } : null);

  const submit = async (event: Event) => {
    event.preventDefault();
    const body = { name: name.trim(), slug };
    const created = await create.run(() => api<Team>("POST", "/api/teams", { body, idempotencyKey: key.for(body) }));
    if (created) {
      key.created();
      writeJsonDraft(account.id, newTeamDraftKey, null);
      navigate(href("team", { id: created.data.id }));
    }
  };

  return (
    <>
      <PageHeading title="Teams" />
      {teams.error ? (
        <ErrorMessage error={teams.error} title="Teams could not be loaded" />
      ) : !teams.data ? (
        <Loading label="Loading teams…" />
      ) : teams.data.length === 0 ? (
        <p>You are in no team yet. Create one, or ask a team's owner to add you.</p>
      ) : (
        <ul class="cards" aria-label="Your teams">
          {teams.data.map((team) => (
            <li key={team.id} class="card">
              <h2 class="card-title"><a href={href("team", { id: team.id })}>{team.name}</a></h2>
              <p class="muted small">{team.slug} · you are {team.myRole === "Owner" ? "an owner" : `a ${team.myRole.toLowerCase()}`}</p>
              <p class="small">Created <When at={team.createdAt} dateOnly /></p>
            </li>
          ))}
        </ul>
      )}

      <form class="card stack separated narrow" onSubmit={submit}>
        <h2>New team</h2>
        <Field label="Team name" error={errors("name")}>
          {(props) => (
            <input {...props} name="name" required maxLength={200} value={name}
              onInput={(e) => { setName(e.currentTarget.value); if (!slugEdited) setSlug(slugify(e.currentTarget.value)); }} />
          )}
        </Field>
        <Field label="Team slug" hint="Lower-case letters, digits and single hyphens." error={errors("slug")}>
          {(props) => (
            <input {...props} name="slug" required maxLength={64} pattern="[a-z0-9]+(-[a-z0-9]+)*" value={slug}
              onInput={(e) => { setSlugEdited(true); setSlug(e.currentTarget.value); }} />
          )}
        </Field>
        <ErrorMessage error={create.error} title="The team could not be created" />
        <div class="actions">
          <button type="submit" disabled={create.busy}>Create team</button>
        </div>
      </form>
    </>
  );
}

export function TeamPage({ id, account }: { id: string; account: Account }) {
  const team = useResource((signal) => get<TeamDetail>(`/api/teams/${encodeURIComponent(id)}`, signal), [id]);
  const [draft] = useState(() => readJsonDraft<NewMemberDraft>(account.id, newMemberDraftKey(id)));
  const [email, setEmail] = useState(draft?.email ?? "");
  const [role, setRole] = useState<TeamRole>(draft?.role && roles.includes(draft.role) ? draft.role : "Maintainer");
  const key = useIdempotencyKey();
  const add = useAction();
  const change = useAction();
  const remove = useAction();
  const errors = fieldErrors(add.error);
  useJsonDraft(account.id, newMemberDraftKey(id), email ? { email, role } : null);

  if (!team.data) {
    return <PageNotReady title="Team" error={team.error} what="Team" loadingLabel="Loading the team…" />;
  }

  const data = team.data;
  const isOwner = data.myRole === "Owner";

  const addMember = async (event: Event) => {
    event.preventDefault();
    const body = { email: email.trim(), role };
    const added = await add.run(() => api<Member>("POST", `/api/teams/${data.id}/members`, { body, idempotencyKey: key.for(body) }));
    if (added) {
      writeJsonDraft(account.id, newMemberDraftKey(data.id), null);
      setEmail("");
      key.created();
      team.reload();
    }
  };

  // A change refused because the member or the team changed meanwhile: the reload shows what did, and brings the
  // entity tag the next try needs (without it, every try is refused again until the page is reloaded).
  const reloadOnConflict = (error: unknown): never => {
    if (isConflict(error)) team.reload();
    throw reloadedAfterConflict(error, "member");
  };

  const changeRole = async (member: Member, next: TeamRole) => {
    const changed = await change.run(() => api<Member>("PATCH", `/api/teams/${data.id}/members/${encodeURIComponent(member.userId)}`, { body: { role: next }, ifMatch: member.etag })
      .catch(reloadOnConflict));
    if (changed) {
      // The answer's tag at once: a second change before the reload lands must not send the old one.
      team.setData((current) => ({ ...current!, members: current!.members.map((m) => (m.userId === changed.data.userId ? changed.data : m)) }));
      team.reload();
    }
  };

  const removeMember = async (member: Member) => {
    if (await remove.run(() => api("DELETE", `/api/teams/${data.id}/members/${encodeURIComponent(member.userId)}`, { ifMatch: member.etag }).catch(reloadOnConflict))) {
      if (member.userId === account.id) navigate(href("teams"));
      else team.reload();
    }
  };

  return (
    <>
      <PageHeading title={`Team ${data.name}`} />
      <p class="muted">
        {data.slug} · created <When at={data.createdAt} dateOnly /> · you are {isOwner ? "an owner" : `a ${data.myRole.toLowerCase()}`}
      </p>
      {/* A reload after a change that failed: the members on screen stay, and may be out of date. */}
      <ErrorMessage error={team.error} title="The team could not be brought up to date; the page may show an older state" />

      <section aria-labelledby="members-heading">
        <h2 id="members-heading">Members and roles</h2>
        <ul class="muted small role-help">
          {roles.map((r) => <li key={r}><strong>{r}</strong>: {roleHelp[r]}</li>)}
        </ul>
        <ErrorMessage error={change.error} title="The role could not be changed" />
        <ErrorMessage error={remove.error} title="The member could not be removed" />
        <div class="table-scroll" role="region" aria-label="Members table" tabIndex={0}>
          <table>
            <thead>
              <tr>
                <th scope="col">Member</th>
                <th scope="col">Role</th>
                <th scope="col">Added</th>
                {isOwner && <th scope="col"><span class="visually-hidden">Actions</span></th>}
              </tr>
            </thead>
            <tbody>
              {data.members.map((member) => (
                <tr key={member.userId}>
                  <th scope="row">{member.email}{member.userId === account.id ? " (you)" : ""}</th>
                  <td>
                    {isOwner ? (
                      <>
                        <label class="visually-hidden" for={`role-${member.userId}`}>Role of {member.email}</label>
                        <select id={`role-${member.userId}`} value={member.role} disabled={change.busy}
                          onChange={(e) => void changeRole(member, e.currentTarget.value as TeamRole)}>
                          {roles.map((r) => <option key={r} value={r}>{r}</option>)}
                        </select>
                      </>
                    ) : (
                      member.role
                    )}
                  </td>
                  <td><When at={member.addedAt} dateOnly /></td>
                  {isOwner && (
                    <td>
                      <ConfirmButton label="Remove" accessibleName={`Remove ${member.email}`} confirmLabel={`Yes, remove ${member.email}`}
                        busy={remove.busy} onConfirm={() => void removeMember(member)} />
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>

      {isOwner && (
        <form class="card stack separated narrow" onSubmit={addMember}>
          <h2>Add a member</h2>
          <p class="muted small">They need an account first: ask them to sign up.</p>
          <Field label="Email" error={errors("email")}>
            {(props) => <input {...props} type="email" name="email" required maxLength={254} value={email} onInput={(e) => setEmail(e.currentTarget.value)} />}
          </Field>
          <Field label="Role" error={errors("role")}>
            {(props) => (
              <select {...props} name="role" value={role} onChange={(e) => setRole(e.currentTarget.value as TeamRole)}>
                {roles.map((r) => <option key={r} value={r}>{r}</option>)}
              </select>
            )}
          </Field>
          <ErrorMessage error={add.error} title="The member could not be added" />
          <div class="actions">
            <button type="submit" disabled={add.busy}>Add member</button>
          </div>
        </form>
      )}
    </>
  );
}
