import { PageHeading } from "../components/ui";
import type { Account } from "../lib/types";

export function TeamsPage() {
  return <PageHeading title="Teams" />;
}

export function TeamPage({ id }: { id: string; account: Account }) {
  return <PageHeading title={`Team ${id}`} />;
}
