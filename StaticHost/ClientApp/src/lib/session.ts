// Who is signed in. The session is WebApi's HttpOnly cookie (__Host-ra-auth), which script never sees: the page learns
// about it from GET /api/account/session, and learns it ended when a call answers 401.
import { useEffect, useState } from "preact/hooks";
import { api, get, resetAntiforgeryToken, setUnauthorizedHandler } from "./api";
import { forgetDrafts } from "./drafts";
import { currentRoute, href, navigate } from "./router";
import type { Account } from "./types";

export type Session =
  | { status: "loading" }
  | { status: "anonymous"; expired: boolean }
  | { status: "signed-in"; account: Account }
  /** The session could not be asked about: not known to be signed out, so the page does not send the reader to sign in. */
  | { status: "unavailable"; error: unknown };

let session: Session = { status: "loading" };
const listeners = new Set<(session: Session) => void>();

function set(next: Session) {
  session = next;
  for (const listener of listeners) listener(session);
}

export function useSession(): Session {
  const [value, setValue] = useState(session);
  useEffect(() => {
    listeners.add(setValue);
    setValue(session);
    return () => {
      listeners.delete(setValue);
    };
  }, []);
  return value;
}

/** Where sign-in sends the reader back to: the page they were on. */
export function signInPath(options: { expired?: boolean } = {}): string {
  const route = currentRoute();
  const back = route.name && !["signIn", "signUp", "forgotPassword", "resetPassword"].includes(route.name) ? route.path : null;
  return href("signIn", {}, { returnTo: back, expired: options.expired ? "1" : null });
}

/** GET /api/account/session answers 200 signed in or not, so a visitor's first page logs no failed request. */
export async function loadSession(): Promise<void> {
  try {
    const session = await get<{ signedIn: boolean; account: Account | null }>("/api/account/session");
    set(session.signedIn && session.account ? { status: "signed-in", account: session.account } : { status: "anonymous", expired: false });
  } catch (error) {
    // A restart or a brief outage is not a sign-out: the cookie may well still be valid.
    set({ status: "unavailable", error });
  }
}

/** After a successful sign-in: the antiforgery token belongs to the anonymous user, so a new one is needed. */
export async function signedIn(): Promise<void> {
  resetAntiforgeryToken();
  await loadSession();
}

/**
 * Ends the session on the server, then here. If the server did not end it, the browser stays signed in and the error
 * is thrown for the page to show: the cookie is still valid, so showing the sign-in page would be a lie.
 */
export async function signOut(): Promise<void> {
  await api("POST", "/api/account/sign-out");
  resetAntiforgeryToken();
  forgetDrafts();
  set({ status: "anonymous", expired: false });
  navigate(href("signIn"));
}

// A 401 while signed in: the session expired (or was ended elsewhere). Go to sign-in, and come back afterwards.
setUnauthorizedHandler((path) => {
  if (session.status !== "signed-in") return;
  resetAntiforgeryToken();
  set({ status: "anonymous", expired: true });
  navigate(signInPath({ expired: true }), { replace: true });
});
