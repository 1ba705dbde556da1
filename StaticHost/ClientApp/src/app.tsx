import { useEffect } from "preact/hooks";
import { useErrorBoundary } from "preact/hooks";
import { Layout } from "./components/layout";
import { Loading } from "./components/ui";
import { AccountPage } from "./pages/account";
import { ForgotPasswordPage, ResetPasswordPage, SignInPage, SignUpPage } from "./pages/auth";
import { NotFoundPage, ServerErrorPage, SessionUnavailablePage } from "./pages/errors";
import { HistoryPage } from "./pages/history";
import { ReviewPage, ReviewsPage } from "./pages/reviews";
import { ScanPage, ScansPage } from "./pages/scans";
import { ServicePage } from "./pages/service";
import { ServiceFormPage } from "./pages/service-form";
import { ServicesPage } from "./pages/services";
import { TeamPage, TeamsPage } from "./pages/teams";
import { href, navigate, safeReturnPath, useRoute, type Route, type RouteName } from "./lib/router";
import { loadSession, signInPath, useSession, type Session } from "./lib/session";
import type { Account } from "./lib/types";

/** Pages anyone may see; every other page needs a session. */
const publicPages: RouteName[] = ["signIn", "signUp", "forgotPassword", "resetPassword"];

function page(route: Route, account: Account) {
  switch (route.name) {
    case "account":
      return <AccountPage account={account} />;
    case "services":
      return <ServicesPage route={route} />;
    case "newService":
    case "editService":
      return <ServiceFormPage key={route.path} route={route} account={account} />;
    case "service":
      return <ServicePage key={route.params["id"]} id={route.params["id"]!} account={account} />;
    case "scans":
      return <ScansPage key={route.params["id"]} id={route.params["id"]!} />;
    case "scan":
      return <ScanPage key={route.path} id={route.params["id"]!} scanId={route.params["scanId"]!} />;
    case "reviews":
      return <ReviewsPage key={route.params["id"]} route={route} />;
    case "review":
      return <ReviewPage key={route.path} id={route.params["id"]!} reviewId={route.params["reviewId"]!} account={account} />;
    case "history":
      return <HistoryPage key={route.params["id"]} route={route} />;
    case "teams":
      return <TeamsPage account={account} />;
    case "team":
      return <TeamPage key={route.params["id"]} id={route.params["id"]!} account={account} />;
    default:
      return <NotFoundPage />;
  }
}

function publicPage(route: Route) {
  switch (route.name) {
    case "signUp":
      return <SignUpPage />;
    case "forgotPassword":
      return <ForgotPasswordPage />;
    case "resetPassword":
      return <ResetPasswordPage route={route} />;
    default:
      return <SignInPage key={route.path} route={route} />;
  }
}

/** Where the reader should be instead of `route`, given the session, or null to stay. */
function redirectFor(route: Route, session: Session): string | null {
  if (session.status === "loading" || session.status === "unavailable") return null;
  if (route.name === "home") return session.status === "signed-in" ? href("services") : href("signIn");
  if (route.name === null) return null;
  if (session.status === "anonymous" && !publicPages.includes(route.name)) return signInPath();
  if (session.status === "signed-in" && route.name === "signIn") return safeReturnPath(route.query.get("returnTo")) ?? href("services");
  return null;
}

export function App() {
  const route = useRoute();
  const session = useSession();
  const [error, resetError] = useErrorBoundary((e: unknown) => console.error(e));
  const redirect = redirectFor(route, session);

  useEffect(() => {
    if (redirect) navigate(redirect, { replace: true });
  }, [redirect]);
  // A failure on one page does not stick to the next.
  useEffect(() => {
    if (error) resetError();
  }, [route.path]);

  let content;
  if (error) content = <ServerErrorPage error={error} onRetry={resetError} />;
  else if (redirect) content = <Loading />;
  else if (route.name === null) content = <NotFoundPage />;
  // Sign-in and the like show at once; if the session turns out to be signed in, the redirect follows.
  else if (publicPages.includes(route.name)) content = publicPage(route);
  else if (session.status === "unavailable") content = <SessionUnavailablePage error={session.error} onRetry={() => void loadSession()} />;
  else if (session.status === "loading") content = <Loading />;
  else if (session.status === "signed-in") content = page(route, session.account);
  else content = <Loading />;

  return (
    <Layout session={session} current={route.name}>
      {content}
    </Layout>
  );
}
