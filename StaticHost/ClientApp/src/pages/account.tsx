import { useRef, useState } from "preact/hooks";
import { ConfirmButton, ErrorMessage, Field, fieldErrors, Loading, PageHeading, When } from "../components/ui";
import { api, get } from "../lib/api";
import { useAction, useResource } from "../lib/hooks";
import type { Account, CreatedToken, Token } from "../lib/types";
import { addPasskey, describePasskeyError, passkeysSupported } from "../lib/webauthn";

export function AccountPage({ account }: { account: Account }) {
  return (
    <>
      <PageHeading title="Account" />
      <p>
        Signed in as <strong>{account.email}</strong>
        {account.emailConfirmed ? "" : " (email not confirmed)"}.
      </p>
      <Tokens />
      <Passkeys />
    </>
  );
}

function tokenState(token: Token): string {
  if (token.revokedAt) return "Revoked";
  if (new Date(token.expiresAt) < new Date()) return "Expired";
  return "Active";
}

function Tokens() {
  const tokens = useResource((signal) => get<Token[]>("/api/account/tokens", signal), []);
  const [name, setName] = useState("");
  const [scopes, setScopes] = useState<string[]>(["read"]);
  const [days, setDays] = useState("30");
  const [created, setCreated] = useState<CreatedToken | null>(null);
  const [copied, setCopied] = useState(false);
  const create = useAction();
  const revoke = useAction();
  const errors = fieldErrors(create.error);
  const secretRef = useRef<HTMLInputElement>(null);

  const toggleScope = (scope: string, on: boolean) =>
    setScopes((current) => (on ? [...new Set([...current, scope])] : current.filter((s) => s !== scope)));

  const submit = async (event: Event) => {
    event.preventDefault();
    // No Idempotency-Key: the API does not replay a token's creation, as the replay would have to keep its secret.
    // A creation whose answer was lost shows in the list below, where it can be revoked.
    const result = await create.run(() =>
      api<CreatedToken>("POST", "/api/account/tokens", {
        body: { name, scopes, expiresInDays: Number(days) },
      }));
    if (result) {
      setCreated(result.data);
      setCopied(false);
      setName("");
      tokens.setData((list) => [result.data.details, ...(list ?? [])]);
      requestAnimationFrame(() => secretRef.current?.select());
    }
  };

  const copy = async () => {
    if (!created) return;
    try {
      await navigator.clipboard.writeText(created.token);
      setCopied(true);
    } catch {
      // Without clipboard permission the text is selected for Ctrl+C instead.
      secretRef.current?.select();
    }
  };

  const revokeToken = async (token: Token) => {
    // A token's use does not change its ETag, so the one on screen revokes it even while it is in use.
    const ok = await revoke.run(() => api("DELETE", `/api/account/tokens/${token.id}`, { ifMatch: token.etag }));
    if (ok) {
      if (created?.details.id === token.id) setCreated(null);
      tokens.reload();
    }
  };

  return (
    <section aria-labelledby="tokens-heading" class="stack separated">
      <h2 id="tokens-heading">Personal access tokens</h2>
      <p class="muted">
        For scripts and pipelines (<code>readiness gate</code>): send one as <code>Authorization: Bearer …</code>. It acts as you, within its scopes.
      </p>

      {created && (
        <div class="alert alert-success" role="status">
          <p class="alert-title">Token “{created.details.name}” created</p>
          <p>Copy it now: it is shown only once, and cannot be seen again.</p>
          <div class="copy-row">
            <label for="new-token" class="visually-hidden">New token</label>
            <input id="new-token" ref={secretRef} class="mono" readOnly value={created.token} onFocus={(e) => e.currentTarget.select()} />
            <button type="button" onClick={copy}>{copied ? "Copied" : "Copy token"}</button>
          </div>
          <p>
            <button type="button" class="button-link" onClick={() => setCreated(null)}>I have copied it; hide the token</button>
          </p>
        </div>
      )}

      <form class="stack card" onSubmit={submit}>
        <h3>New token</h3>
        <Field label="Token name" hint="What it is for, e.g. “ci”." error={errors("name")}>
          {(props) => <input {...props} name="name" required maxLength={200} value={name} onInput={(e) => setName(e.currentTarget.value)} />}
        </Field>
        <fieldset>
          <legend>Scopes</legend>
          <label class="check">
            <input type="checkbox" checked={scopes.includes("read")} onChange={(e) => toggleScope("read", e.currentTarget.checked)} /> read
          </label>
          <label class="check">
            <input type="checkbox" checked={scopes.includes("write")} onChange={(e) => toggleScope("write", e.currentTarget.checked)} /> write
          </label>
          {errors("scopes") && <p class="field-error">{errors("scopes")!.join(" ")}</p>}
        </fieldset>
        <Field label="Expires in (days)" error={errors("expiresInDays")}>
          {(props) => <input {...props} type="number" name="expiresInDays" min={1} max={366} required value={days} onInput={(e) => setDays(e.currentTarget.value)} />}
        </Field>
        <ErrorMessage error={create.error} title="The token could not be created" />
        <div class="actions">
          <button type="submit" disabled={create.busy || scopes.length === 0}>Create token</button>
        </div>
      </form>

      <ErrorMessage error={revoke.error} title="The token could not be revoked" />
      {tokens.loading && !tokens.data ? (
        <Loading label="Loading tokens…" />
      ) : tokens.error ? (
        <ErrorMessage error={tokens.error} title="Tokens could not be loaded" />
      ) : tokens.data && tokens.data.length > 0 ? (
        <div class="table-scroll" role="region" aria-labelledby="tokens-table-caption" tabIndex={0}>
          <table>
            <caption id="tokens-table-caption">Your tokens</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Starts with</th>
                <th scope="col">Scopes</th>
                <th scope="col">Created</th>
                <th scope="col">Expires</th>
                <th scope="col">Last used</th>
                <th scope="col">State</th>
                <th scope="col"><span class="visually-hidden">Actions</span></th>
              </tr>
            </thead>
            <tbody>
              {tokens.data.map((token) => (
                <tr key={token.id}>
                  <th scope="row">{token.name}</th>
                  <td><code>{token.prefix}…</code></td>
                  <td>{token.scopes.join(", ")}</td>
                  <td><When at={token.createdAt} /></td>
                  <td><When at={token.expiresAt} /></td>
                  <td><When at={token.lastUsedAt} /></td>
                  <td>{tokenState(token)}</td>
                  <td>
                    {!token.revokedAt && (
                      <ConfirmButton label="Revoke" accessibleName={`Revoke token ${token.name}`} confirmLabel={`Yes, revoke ${token.name}`}
                        busy={revoke.busy} onConfirm={() => revokeToken(token)} />
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p class="muted">You have no tokens yet.</p>
      )}
    </section>
  );
}

function Passkeys() {
  const [name, setName] = useState("");
  const [added, setAdded] = useState<string | null>(null);
  const action = useAction();
  const message = action.error ? describePasskeyError(action.error) : null;

  const submit = async (event: Event) => {
    event.preventDefault();
    setAdded(null);
    const ok = await action.run(async () => {
      await addPasskey(name.trim());
      return true;
    });
    if (ok) {
      setAdded(name.trim() || "Your passkey");
      setName("");
    }
  };

  return (
    <section aria-labelledby="passkeys-heading" class="stack separated">
      <h2 id="passkeys-heading">Passkeys</h2>
      {!passkeysSupported() ? (
        <p>This browser does not support passkeys.</p>
      ) : (
        <form class="stack card" onSubmit={submit}>
          <p class="muted">Sign in with your device's screen lock or a security key instead of the password.</p>
          <Field label="Passkey name" hint="Optional, to tell your passkeys apart, e.g. “laptop”.">
            {(props) => <input {...props} name="passkeyName" maxLength={200} value={name} onInput={(e) => setName(e.currentTarget.value)} />}
          </Field>
          {added && (
            <div class="alert alert-success" role="status">
              <p>{added} was added. You can now sign in with it.</p>
            </div>
          )}
          {action.error !== null && action.error !== undefined && (message
            ? <div class="alert alert-error" role="alert"><p>{message}</p></div>
            : <ErrorMessage error={action.error} title="The passkey could not be added" />)}
          <div class="actions">
            <button type="submit" disabled={action.busy}>{action.busy ? "Waiting for your device…" : "Add a passkey"}</button>
          </div>
        </form>
      )}
    </section>
  );
}
