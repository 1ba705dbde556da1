import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import { ErrorMessage, Field, fieldErrors, PageHeading, PageNotReady } from "../components/ui";
import { api, ApiError, get, type ApiResponse } from "../lib/api";
import { readJsonDraft, writeJsonDraft } from "../lib/drafts";
import { useAction, useIdempotencyKey, useResource } from "../lib/hooks";
import { href, navigate, type Route } from "../lib/router";
import type { Account, Environment, ScanProfile, Service, Team, Tier } from "../lib/types";

interface FormState {
  teamId: string;
  name: string;
  slug: string;
  description: string;
  repositoryUrl: string;
  tags: string;
  tier: Tier;
  environments: Environment[];
}

const slugify = (text: string) =>
  text.toLowerCase().normalize("NFKD").replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 64).replace(/-+$/, "");

const parseTags = (text: string) => [...new Set(text.split(/[\s,]+/).map((t) => t.trim().toLowerCase()).filter(Boolean))];

function fromService(service: Service): FormState {
  return {
    teamId: service.teamId,
    name: service.name,
    slug: service.slug,
    description: service.description,
    repositoryUrl: service.repositoryUrl ?? "",
    tags: service.tags.join(", "),
    tier: service.tier,
    environments: service.environments.map((e) => ({ ...e })),
  };
}

const fieldLabels: Record<keyof FormState, string> = {
  teamId: "team",
  name: "name",
  slug: "slug",
  description: "description",
  repositoryUrl: "repository URL",
  tags: "tags",
  tier: "tier",
  environments: "environments",
};

/** What someone else changed between the version the form was filled from and theirs, in the form's words. */
function changedFields(base: Service, theirs: Service): string[] {
  const before = fromService(base);
  const after = fromService(theirs);
  return (Object.keys(fieldLabels) as (keyof FormState)[])
    .filter((key) => JSON.stringify(before[key]) !== JSON.stringify(after[key]))
    .map((key) => fieldLabels[key]);
}

const blank: FormState = {
  teamId: "",
  name: "",
  slug: "",
  description: "",
  repositoryUrl: "",
  tags: "",
  tier: "B",
  environments: [{ name: "production", baseUrl: "", profile: "Web" }],
};

/** The form as typed and not saved (the session expired on the save, say), kept until saved or cancelled (lib/drafts.ts). */
interface ServiceDraft {
  form: FormState;
  slugEdited: boolean;
  /** Editing: the version the form was filled from. The save sends its etag, so a change someone made since is a 412. */
  base: ApiResponse<Service> | null;
}

/** /services/new and /services/{id}/edit. */
export function ServiceFormPage({ route, account }: { route: Route; account: Account }) {
  const id = route.params["id"];
  const editing = id !== undefined;
  const draftKey = `service-form:${id ?? "new"}`;
  const [draft] = useState(() => readJsonDraft<ServiceDraft>(account.id, draftKey));
  const restored = useRef(false);
  const teams = useResource((signal) => get<Team[]>("/api/teams", signal), []);
  const existing = useResource(
    (signal) => (id ? api<Service>("GET", `/api/services/${encodeURIComponent(id)}`, { signal }) : Promise.resolve(null)),
    [id],
  );
  const [form, setForm] = useState<FormState | null>(editing ? null : draft?.form ?? blank);
  const [slugEdited, setSlugEdited] = useState(draft?.slugEdited ?? false);
  const idempotencyKey = useIdempotencyKey();
  // After a 412: the version someone else saved meanwhile. The reader's edits stay in the form until they choose.
  const [theirs, setTheirs] = useState<ApiResponse<Service> | null>(null);
  const action = useAction();
  const errors = fieldErrors(action.error);

  useEffect(() => {
    const loaded = existing.data;
    if (!loaded) return;
    // A draft of an edit goes back on the version it was typed over, not the one just read.
    if (draft?.base && !restored.current) {
      restored.current = true;
      if (loaded !== draft.base) {
        existing.setData(draft.base);
        return;
      }
    }
    setForm(draft && loaded === draft.base ? draft.form : fromService(loaded.data));
  }, [existing.data]);

  // At the commit, not after the paint (see useDraft): a page left at once keeps the draft it showed.
  useLayoutEffect(() => {
    const base = editing ? existing.data ?? null : null;
    if (!form || (editing && !base)) return;
    const untouched = base ? fromService(base.data) : { ...blank, teamId: form.teamId };
    writeJsonDraft(account.id, draftKey, JSON.stringify(form) === JSON.stringify(untouched) ? null : { form, slugEdited, base });
  }, [form, slugEdited, existing.data]);
  const forgetDraft = () => writeJsonDraft(account.id, draftKey, null);

  const writableTeams = teams.data?.filter((t) => t.myRole !== "Viewer") ?? [];
  useEffect(() => {
    if (!editing && form && !form.teamId && writableTeams[0]) setForm({ ...form, teamId: writableTeams[0].id });
  }, [teams.data]);

  const title = editing ? (existing.data ? `Edit ${existing.data.data.name}` : "Edit service") : "New service";

  if (editing && existing.error || !form || teams.loading && !teams.data) {
    return <PageNotReady title={title} error={editing && existing.error} what="Service" />;
  }
  // Without the teams it is unknown whether the reader is in one that may hold the service: not a reason to make one.
  if (!editing && teams.error && !teams.data) {
    return <PageNotReady title={title} error={teams.error} what="Teams" onRetry={teams.reload} />;
  }
  if (!editing && writableTeams.length === 0) {
    return (
      <>
        <PageHeading title={title} />
        <p>
          A service belongs to a team in which you are a maintainer or owner. <a href={href("teams")}>Create a team</a> first.
        </p>
      </>
    );
  }

  const update = (changes: Partial<FormState>) => setForm({ ...form, ...changes });
  const updateEnvironment = (index: number, changes: Partial<Environment>) =>
    update({ environments: form.environments.map((e, i) => (i === index ? { ...e, ...changes } : e)) });

  const save = async (ifMatch?: string) => {
    const common = {
      name: form.name.trim(),
      description: form.description.trim() || null,
      repositoryUrl: form.repositoryUrl.trim() || null,
      tags: parseTags(form.tags),
      environments: form.environments.map((e) => ({ name: e.name.trim(), baseUrl: e.baseUrl.trim(), profile: e.profile })),
      tier: form.tier,
    };
    const result = await action.run(async () => {
      if (!editing) {
        const body = { ...common, teamId: form.teamId, slug: form.slug };
        return await api<Service>("POST", "/api/services", { body, idempotencyKey: idempotencyKey.for(body) });
      }
      const path = `/api/services/${encodeURIComponent(id!)}`;
      try {
        return await api<Service>("PUT", path, { body: common, ifMatch: ifMatch ?? existing.data!.data.etag });
      } catch (error) {
        if (!(error instanceof ApiError && error.status === 412)) throw error;
        setTheirs(await api<Service>("GET", path));
        return undefined;
      }
    });
    if (result) {
      forgetDraft();
      navigate(href("service", { id: result.data.id }));
    }
  };

  const submit = (event: Event) => {
    event.preventDefault();
    setTheirs(null);
    void save();
  };

  const overwriteTheirs = () => {
    const theirEtag = theirs!.data.etag;
    setTheirs(null);
    void save(theirEtag);
  };

  const discardMine = () => {
    existing.setData(theirs!);
    setTheirs(null);
  };

  return (
    <>
      <PageHeading title={title} />
      <form class="stack form-wide" onSubmit={submit} aria-describedby={action.error || theirs ? "service-form-error" : undefined}>
        {!editing && (
          <Field label="Team" error={errors("teamId")}>
            {(props) => (
              <select {...props} name="teamId" required value={form.teamId} onChange={(e) => update({ teamId: e.currentTarget.value })}>
                {writableTeams.map((t) => <option key={t.id} value={t.id}>{t.name}</option>)}
              </select>
            )}
          </Field>
        )}
        <Field label="Name" error={errors("name")}>
          {(props) => (
            <input {...props} name="name" required maxLength={200} value={form.name}
              onInput={(e) => {
                const name = e.currentTarget.value;
                update(!editing && !slugEdited ? { name, slug: slugify(name) } : { name });
              }} />
          )}
        </Field>
        {!editing && (
          <Field label="Slug" hint="Lower-case letters, digits and single hyphens; used in URLs and metrics. It cannot change later." error={errors("slug")}>
            {(props) => (
              <input {...props} name="slug" required maxLength={64} pattern="[a-z0-9]+(-[a-z0-9]+)*" value={form.slug}
                onInput={(e) => { setSlugEdited(true); update({ slug: e.currentTarget.value }); }} />
            )}
          </Field>
        )}
        <Field label="Description" error={errors("description")}>
          {(props) => <textarea {...props} name="description" rows={3} maxLength={2000} value={form.description} onInput={(e) => update({ description: e.currentTarget.value })} />}
        </Field>
        <Field label="Repository URL" error={errors("repositoryUrl")}>
          {(props) => <input {...props} type="url" name="repositoryUrl" maxLength={2048} placeholder="https://github.com/…" value={form.repositoryUrl} onInput={(e) => update({ repositoryUrl: e.currentTarget.value })} />}
        </Field>
        <Field label="Tags" hint="Separated by commas, e.g. payments, public. Lower-case letters, digits, '-' and '.'." error={errors("tags")}>
          {(props) => <input {...props} name="tags" value={form.tags} onInput={(e) => update({ tags: e.currentTarget.value })} />}
        </Field>
        <Field label="Criticality tier" hint="A must reach 100% of the checklist, B 90%, C 75%." error={errors("tier")}>
          {(props) => (
            <select {...props} name="tier" value={form.tier} onChange={(e) => update({ tier: e.currentTarget.value as Tier })}>
              <option value="A">A (critical)</option>
              <option value="B">B</option>
              <option value="C">C</option>
            </select>
          )}
        </Field>

        <fieldset class="stack">
          <legend>Environments</legend>
          <p class="hint">Where the service runs. Scans grade these URLs.</p>
          {form.environments.map((environment, index) => (
            <div class="environment" key={index} role="group" aria-label={`Environment ${index + 1}`}>
              <Field label={`Environment ${index + 1} name`} error={errors(`environments[${index}].name`)}>
                {(props) => <input {...props} required maxLength={64} pattern="[a-z0-9]+(-[a-z0-9]+)*" value={environment.name} onInput={(e) => updateEnvironment(index, { name: e.currentTarget.value })} />}
              </Field>
              <Field label={`Environment ${index + 1} base URL`} error={errors(`environments[${index}].baseUrl`)}>
                {(props) => <input {...props} type="url" required maxLength={2048} placeholder="https://shop.example.com" value={environment.baseUrl} onInput={(e) => updateEnvironment(index, { baseUrl: e.currentTarget.value })} />}
              </Field>
              <Field label={`Environment ${index + 1} profile`}>
                {(props) => (
                  <select {...props} value={environment.profile} onChange={(e) => updateEnvironment(index, { profile: e.currentTarget.value as ScanProfile })}>
                    <option value="Web">Web page</option>
                    <option value="Api">API</option>
                  </select>
                )}
              </Field>
              <button type="button" class="button-secondary" onClick={() => update({ environments: form.environments.filter((_, i) => i !== index) })}>
                Remove environment {index + 1}
              </button>
            </div>
          ))}
          {form.environments.length < 10 && (
            <div>
              <button type="button" class="button-secondary"
                onClick={() => update({ environments: [...form.environments, { name: "", baseUrl: "", profile: "Web" }] })}>
                Add an environment
              </button>
            </div>
          )}
        </fieldset>

        <div id="service-form-error">
          <ErrorMessage error={action.error} title={editing ? "The changes could not be saved" : "The service could not be created"} />
          {theirs && (
            <div class="alert alert-error stack" role="alert">
              <p class="alert-title">Someone else saved this service while you were editing it</p>
              <p>
                They changed: {changedFields(existing.data!.data, theirs.data).join(", ") || "nothing the form shows"}. Your
                edits are still in the form, not saved.
              </p>
              <div class="actions">
                <button type="button" disabled={action.busy} onClick={overwriteTheirs}>Save mine over theirs</button>
                <button type="button" class="button-secondary" disabled={action.busy} onClick={discardMine}>Discard mine and show theirs</button>
              </div>
            </div>
          )}
        </div>
        <div class="actions">
          <button type="submit" disabled={action.busy}>{editing ? "Save changes" : "Create service"}</button>
          <a href={editing ? href("service", { id: id! }) : href("services")} onClick={forgetDraft}>Cancel</a>
        </div>
      </form>
    </>
  );
}
