import { PageHeading } from "../components/ui";

export function ServicePage({ id }: { id: string }) {
  return <PageHeading title={`Service ${id}`} />;
}
