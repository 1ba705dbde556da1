import { PageHeading } from "../components/ui";

export function ScansPage({ id }: { id: string }) {
  return <PageHeading title={`Scans of ${id}`} />;
}

export function ScanPage({ scanId }: { id: string; scanId: string }) {
  return <PageHeading title={`Scan ${scanId}`} />;
}
