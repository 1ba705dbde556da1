// Whether the page on screen was reached by navigating inside the app (focus then moves to its heading) rather than
// by loading the document (focus stays where the browser puts it).
let navigated = false;

export function markNavigated(): void {
  navigated = true;
}

export function wasNavigated(): boolean {
  return navigated;
}

/** Moves focus to the page's heading (PageHeading's <h1>), as a navigation to another page does. */
export function focusPageHeading(): void {
  document.querySelector<HTMLElement>("main h1")?.focus({ preventScroll: true });
}
