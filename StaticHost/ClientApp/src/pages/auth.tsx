import { useState } from "preact/hooks";
import { ErrorMessage, Field, fieldErrors, PageHeading } from "../components/ui";
import { api } from "../lib/api";
import { useAction } from "../lib/hooks";
import { href, navigate, safeReturnPath, type Route } from "../lib/router";
import { signedIn } from "../lib/session";
import { describePasskeyError, passkeysSupported, signInWithPasskey } from "../lib/webauthn";

const isLocalRun = () => ["localhost", "127.0.0.1", "[::1]"].includes(location.hostname);

function afterSignIn(route: Route) {
  navigate(safeReturnPath(route.query.get("returnTo")) ?? href("services"), { replace: true });
}

export function SignInPage({ route }: { route: Route }) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const password_ = useAction();
  const passkey = useAction();
  const expired = route.query.get("expired") === "1";
  const returnTo = safeReturnPath(route.query.get("returnTo"));

  const submit = async (event: Event) => {
    event.preventDefault();
    const ok = await password_.run(() => api("POST", "/api/account/sign-in", { body: { email, password } }));
    if (ok) {
      await signedIn();
      afterSignIn(route);
    }
  };

  const withPasskey = async () => {
    const ok = await passkey.run(async () => {
      await signInWithPasskey();
      return true;
    });
    if (ok) {
      await signedIn();
      afterSignIn(route);
    }
  };

  const passkeyMessage = passkey.error ? describePasskeyError(passkey.error) : null;

  return (
    <div class="narrow">
      <PageHeading title="Sign in" />
      {expired && (
        <div class="alert alert-info" role="status">
          <p>Your session has expired. Sign in again{returnTo ? " to go back to the page you were on" : ""}.</p>
        </div>
      )}
      {route.query.get("confirmed") === "1" && (
        <div class="alert alert-success" role="status">
          <p>Your email address is confirmed. Sign in to start.</p>
        </div>
      )}
      {route.query.get("confirmed") === "0" && (
        <div class="alert alert-error" role="alert">
          <p>That confirmation link is invalid or has expired (or the address was already confirmed). Try signing in; if that fails, <a href={href("signUp")}>sign up again</a> for a new link.</p>
        </div>
      )}
      {route.query.get("reset") === "1" && (
        <div class="alert alert-success" role="status">
          <p>Your password was changed. Sign in with the new one.</p>
        </div>
      )}
      <form class="stack" onSubmit={submit}>
        <Field label="Email">
          {(props) => (
            <input {...props} type="email" name="email" autocomplete="username webauthn" required maxLength={254}
              value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
          )}
        </Field>
        <Field label="Password">
          {(props) => (
            <input {...props} type="password" name="password" autocomplete="current-password" required maxLength={256}
              value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
          )}
        </Field>
        <ErrorMessage error={password_.error} title="Sign-in failed" />
        <div class="actions">
          <button type="submit" disabled={password_.busy}>
            {password_.busy ? "Signing in…" : "Sign in"}
          </button>
          <a href={href("forgotPassword")}>Forgot your password?</a>
        </div>
      </form>

      {passkeysSupported() && (
        <section class="stack separated" aria-labelledby="passkey-heading">
          <h2 id="passkey-heading">Or use a passkey</h2>
          <p class="muted">If you added a passkey to your account, your device offers it: no email or password needed.</p>
          {passkey.error !== null && passkey.error !== undefined && (
            passkeyMessage ? (
              <div class="alert alert-error" role="alert"><p>{passkeyMessage}</p></div>
            ) : (
              <ErrorMessage error={passkey.error} title="Passkey sign-in failed" />
            )
          )}
          <div class="actions">
            <button type="button" class="button-secondary" onClick={withPasskey} disabled={passkey.busy}>
              {passkey.busy ? "Waiting for your passkey…" : "Sign in with a passkey"}
            </button>
          </div>
        </section>
      )}

      <p class="separated">
        New here? <a href={href("signUp")}>Create an account</a>
      </p>
    </div>
  );
}

export function SignUpPage() {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [sentTo, setSentTo] = useState<string | null>(null);
  const action = useAction();
  const errors = fieldErrors(action.error);

  const submit = async (event: Event) => {
    event.preventDefault();
    const ok = await action.run(() => api("POST", "/api/account/sign-up", { body: { email, password } }));
    if (ok) setSentTo(email);
  };

  if (sentTo) {
    return (
      <div class="narrow">
        <PageHeading title="Check your email" />
        <div class="alert alert-success" role="status">
          <p>
            If <strong>{sentTo}</strong> can receive mail, a message with a confirmation link is on its way to it.
            Open the link to confirm the address, then sign in.
          </p>
        </div>
        {isLocalRun() && (
          <div class="alert alert-info">
            <p class="alert-title">Running the stack locally?</p>
            <p>
              A local run has no mail server: the link is written to the log of a <code>webapi</code> replica instead.
              In the Aspire dashboard, open <strong>Console logs</strong> of a <code>webapi</code> replica (or the files in{" "}
              <code>logs/webapi/</code> of the AppHost's data directory) and find the line{" "}
              <q>Development email: confirmation link for {sentTo}</q>. Open that link in this browser.
            </p>
          </div>
        )}
        <p>
          <a href={href("signIn")}>Go to sign in</a>
        </p>
      </div>
    );
  }

  return (
    <div class="narrow">
      <PageHeading title="Create an account" />
      <form class="stack" onSubmit={submit}>
        <Field label="Email" error={errors("email")}>
          {(props) => (
            <input {...props} type="email" name="email" autocomplete="email" required maxLength={254}
              value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
          )}
        </Field>
        <Field label="Password" hint="At least 12 characters. A passphrase of a few words works well." error={errors("password")}>
          {(props) => (
            <input {...props} type="password" name="password" autocomplete="new-password" required minLength={12} maxLength={256}
              value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
          )}
        </Field>
        <ErrorMessage error={action.error} title="The account could not be created" />
        <div class="actions">
          <button type="submit" disabled={action.busy}>
            {action.busy ? "Creating…" : "Create account"}
          </button>
        </div>
      </form>
      <p class="separated">
        Already have an account? <a href={href("signIn")}>Sign in</a>
      </p>
    </div>
  );
}

export function ForgotPasswordPage() {
  const [email, setEmail] = useState("");
  const [sent, setSent] = useState(false);
  const action = useAction();

  const submit = async (event: Event) => {
    event.preventDefault();
    if (await action.run(() => api("POST", "/api/account/forgot-password", { body: { email } }))) setSent(true);
  };

  return (
    <div class="narrow">
      <PageHeading title="Reset your password" />
      {sent ? (
        <div class="alert alert-success" role="status">
          <p>If {email} has an account, a message with a reset link is on its way to it.</p>
          {isLocalRun() && <p>On a local run, the link is in a <code>webapi</code> replica's console log in the Aspire dashboard.</p>}
        </div>
      ) : (
        <form class="stack" onSubmit={submit}>
          <p>We will email you a link to choose a new password.</p>
          <Field label="Email">
            {(props) => (
              <input {...props} type="email" name="email" autocomplete="username" required maxLength={254}
                value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
            )}
          </Field>
          <ErrorMessage error={action.error} />
          <div class="actions">
            <button type="submit" disabled={action.busy}>Send the link</button>
          </div>
        </form>
      )}
      <p class="separated">
        <a href={href("signIn")}>Back to sign in</a>
      </p>
    </div>
  );
}

/** The page the reset email links to: /reset-password?email=…&code=… */
export function ResetPasswordPage({ route }: { route: Route }) {
  const email = route.query.get("email") ?? "";
  const code = route.query.get("code") ?? "";
  const [password, setPassword] = useState("");
  const action = useAction();
  const errors = fieldErrors(action.error);

  const submit = async (event: Event) => {
    event.preventDefault();
    const ok = await action.run(() => api("POST", "/api/account/reset-password", { body: { email, code, newPassword: password } }));
    if (ok) navigate(href("signIn", {}, { reset: "1" }), { replace: true });
  };

  return (
    <div class="narrow">
      <PageHeading title="Choose a new password" />
      {!email || !code ? (
        <div class="alert alert-error" role="alert">
          <p>This link is incomplete. Open the link from the email again, or <a href={href("forgotPassword")}>ask for a new one</a>.</p>
        </div>
      ) : (
        <form class="stack" onSubmit={submit}>
          <p>For {email}.</p>
          <Field label="New password" hint="At least 12 characters." error={errors("newPassword")}>
            {(props) => (
              <input {...props} type="password" name="newPassword" autocomplete="new-password" required minLength={12} maxLength={256}
                value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
            )}
          </Field>
          <ErrorMessage error={action.error} />
          <div class="actions">
            <button type="submit" disabled={action.busy}>Change password</button>
          </div>
        </form>
      )}
    </div>
  );
}
