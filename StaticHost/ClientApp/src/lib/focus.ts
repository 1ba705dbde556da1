// Whether the page on screen was reached by navigating inside the app (focus then moves to its heading) rather than
// by loading the document (focus stays where the browser puts it).
let navigated = false;

export function markNavigated(): void {
  navigated = true;
}

export function wasNavigated(): boolean {
  return navigated;
}
