import type { ComponentChildren } from "preact";
import { href, type RouteName } from "../lib/router";
import { useEffect } from "preact/hooks";
import { useAction } from "../lib/hooks";
import { signOut, type Session } from "../lib/session";
import { ErrorMessage } from "./ui";
import logoUrl from "../favicon.svg";

function NavLink({ to, current, children }: { to: RouteName; current: RouteName | null; children: ComponentChildren }) {
  const sections: Partial<Record<RouteName, RouteName[]>> = {
    services: ["services", "newService", "service", "editService", "scans", "scan", "history"],
    teams: ["teams", "team"],
  };
  const active = current !== null && (sections[to] ?? [to]).includes(current);
  return (
    <a href={href(to)} aria-current={active ? "page" : undefined}>
      {children}
    </a>
  );
}

/**
 * Skip link, banner with the main navigation, and the main landmark: the same on every page. No footer: one below
 * content that loads after the first paint would move, a layout shift on every page.
 */
export function Layout({ session, current, children }: { session: Session; current: RouteName | null; children: ComponentChildren }) {
  const signingOut = useAction();
  const clearSignOutError = signingOut.setError;
  // A failed sign-out is reported where it happened, not on every page after it.
  useEffect(() => clearSignOutError(null), [current, clearSignOutError]);
  return (
    <>
      <a class="skip-link" href="#main">Skip to main content</a>
      <header class="site-header">
        <div class="site-header-inner">
          <a class="brand" href={href(session.status === "signed-in" ? "services" : "signIn")}>
            <img src={logoUrl} alt="" width={24} height={24} />
            <span>ReadinessAspire</span>
          </a>
          <nav aria-label="Main">
            <ul>
              {session.status === "signed-in" ? (
                <>
                  <li><NavLink to="services" current={current}>Services</NavLink></li>
                  <li><NavLink to="teams" current={current}>Teams</NavLink></li>
                  <li><NavLink to="account" current={current}>Account</NavLink></li>
                  <li>
                    <button type="button" class="button-link nav-button" disabled={signingOut.busy} onClick={() => void signingOut.run(signOut)}>Sign out</button>
                  </li>
                </>
              ) : session.status === "anonymous" ? (
                <>
                  <li><NavLink to="signIn" current={current}>Sign in</NavLink></li>
                  <li><NavLink to="signUp" current={current}>Create account</NavLink></li>
                </>
              ) : null}
            </ul>
          </nav>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {session.status === "signed-in" && <ErrorMessage error={signingOut.error} title="You are still signed in: signing out failed" />}
        {children}
      </main>
    </>
  );
}
