// A small history-API router. The route table (routes.json) is shared with StaticHost, which serves index.html with
// 200 for these paths and 404 for any other, so a deep link or a reload works and an unknown path is a real 404.
import { useEffect, useState } from "preact/hooks";
import routeTable from "../routes.json";
import { markNavigated } from "./focus";

export type RouteName = keyof typeof routeTable;

export interface Route {
  name: RouteName | null;
  params: Record<string, string>;
  query: URLSearchParams;
  /** Path and query, as in the address bar: where to come back to after signing in. */
  path: string;
}

const compiled = (Object.entries(routeTable) as [RouteName, string][]).map(([name, pattern]) => ({
  name,
  segments: pattern.split("/").filter(Boolean),
}));

/** A path segment decoded, or null when its escapes are not UTF-8 (/services/%FF): no page has such a parameter. */
function decodeSegment(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

/** Literal segments win over parameters: /services/new is newService, not service with id "new". */
function matches(segments: string[], pattern: string[]): Record<string, string> | null {
  if (segments.length !== pattern.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const part = pattern[i]!;
    const segment = segments[i]!;
    if (part.startsWith("{")) {
      const value = decodeSegment(segment);
      if (value === null) return null;
      params[part.slice(1, -1)] = value;
    } else if (part !== segment) {
      return null;
    }
  }
  return params;
}

export function resolve(url: URL): Route {
  const segments = url.pathname.split("/").filter(Boolean);
  const path = url.pathname + url.search;
  const candidates = compiled
    .map((route) => ({ route, params: matches(segments, route.segments) }))
    .filter((c) => c.params !== null)
    .sort((a, b) => Object.keys(a.params!).length - Object.keys(b.params!).length);
  const best = candidates[0];
  return best
    ? { name: best.route.name, params: best.params!, query: url.searchParams, path }
    : { name: null, params: {}, query: url.searchParams, path };
}

/** The URL of a route: `href("service", { id })`, with an optional query (empty values left out). */
export function href(name: RouteName, params: Record<string, string> = {}, query: Record<string, string | number | undefined | null> = {}): string {
  const path = routeTable[name].replace(/\{(\w+)\}/g, (_, key: string) => encodeURIComponent(params[key] ?? ""));
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== "") search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `${path}?${text}` : path;
}

type Listener = (route: Route) => void;
const listeners = new Set<Listener>();
let current = resolve(new URL(location.href));

function notify() {
  markNavigated();
  current = resolve(new URL(location.href));
  for (const listener of listeners) listener(current);
}

/** Goes to a path of this app without reloading; `replace` leaves no history entry (redirects). */
export function navigate(to: string, options: { replace?: boolean } = {}): void {
  const url = new URL(to, location.href);
  if (url.origin !== location.origin) {
    location.assign(url.href);
    return;
  }
  if (url.pathname + url.search === location.pathname + location.search && !options.replace) return;
  if (options.replace) history.replaceState(null, "", url.pathname + url.search + url.hash);
  else history.pushState(null, "", url.pathname + url.search + url.hash);
  window.scrollTo(0, 0);
  notify();
}

export function currentRoute(): Route {
  return current;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(current);
  useEffect(() => {
    listeners.add(setRoute);
    setRoute(current);
    return () => {
      listeners.delete(setRoute);
    };
  }, []);
  return route;
}

/** A same-origin path to return to after signing in; anything else (another origin, //host) is refused. */
export function safeReturnPath(value: string | null): string | null {
  if (!value || !value.startsWith("/") || value.startsWith("//") || value.startsWith("/\\")) return null;
  const url = new URL(value, location.origin);
  if (url.origin !== location.origin || url.pathname.startsWith("/api/")) return null;
  return url.pathname + url.search;
}

/** Plain links to app pages navigate in place; downloads, /api/ links, new tabs and modified clicks are the browser's. */
export function startRouter(): void {
  window.addEventListener("popstate", notify);
  document.addEventListener("click", (event) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const anchor = (event.target as Element | null)?.closest?.("a[href]");
    if (!(anchor instanceof HTMLAnchorElement)) return;
    if (anchor.target && anchor.target !== "_self") return;
    if (anchor.hasAttribute("download") || anchor.origin !== location.origin) return;
    if (anchor.pathname.startsWith("/api/") || anchor.pathname.startsWith("/assets/")) return;
    if (anchor.getAttribute("href")!.startsWith("#")) return;
    event.preventDefault();
    navigate(anchor.pathname + anchor.search + anchor.hash);
  });
}
