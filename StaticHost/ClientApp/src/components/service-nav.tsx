import { href, type RouteName } from "../lib/router";

/** The service's own pages: overview (the current review), its reviews, scans, history. */
export function ServiceNav({ id, current }: { id: string; current: "service" | "reviews" | "scans" | "history" }) {
  const links: [RouteName & ("service" | "reviews" | "scans" | "history"), string][] = [
    ["service", "Overview and review"],
    ["reviews", "Reviews"],
    ["scans", "Scans"],
    ["history", "History"],
  ];
  return (
    <nav class="subnav" aria-label="Service pages">
      <ul>
        {links.map(([name, label]) => (
          <li key={name}>
            <a href={href(name, { id })} aria-current={name === current ? "page" : undefined}>{label}</a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
