import { PageHeading } from "../components/ui";
import type { Route } from "../lib/router";

export function HistoryPage({ route }: { route: Route }) {
  return <PageHeading title={`History of ${route.params["id"]}`} />;
}
