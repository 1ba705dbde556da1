import { useLayoutEffect } from "preact/hooks";

// Text being typed, kept in this tab's session storage until it is saved or typed back to what is stored: a save
// refused because the session expired sends the reader to sign in, and the page they come back to still holds what
// they typed. Keyed by user, so someone else signing in on the tab does not see it; signing out forgets it all.
const PREFIX = "readiness-draft:";

const storageKey = (userId: string, key: string) => `${PREFIX}${userId}:${key}`;

export function readDraft(userId: string, key: string): string | null {
  try {
    return sessionStorage.getItem(storageKey(userId, key));
  } catch {
    // Storage turned off: nothing is kept, and nothing breaks.
    return null;
  }
}

/** Keeps `value`, or forgets the draft when `value` is null (saved, or the same as what is stored). */
export function writeDraft(userId: string, key: string, value: string | null): void {
  try {
    if (value === null) sessionStorage.removeItem(storageKey(userId, key));
    else sessionStorage.setItem(storageKey(userId, key), value);
  } catch {
    // Full or turned off: the text stays on screen; only the copy for after a sign-in is lost.
  }
}

/**
 * Keeps `value` as the draft under `key`, or forgets it when null, as soon as the render that produced it is
 * committed. Not in an effect: effects run after the next paint, which a page left at once (a save, then a link)
 * may never reach, and the draft the save cleared would open the form again on the next visit.
 */
export function useDraft(userId: string, key: string, value: string | null): void {
  useLayoutEffect(() => writeDraft(userId, key, value), [userId, key, value]);
}

/** `useDraft` for a whole form, kept as JSON. */
export function useJsonDraft(userId: string, key: string, value: object | null): void {
  useDraft(userId, key, value === null ? null : JSON.stringify(value));
}

/** A draft of a whole form, kept as JSON; null when there is none or it cannot be read back. */
export function readJsonDraft<T>(userId: string, key: string): T | null {
  const text = readDraft(userId, key);
  if (text === null) return null;
  try {
    return JSON.parse(text) as T;
  } catch {
    return null;
  }
}

export function writeJsonDraft(userId: string, key: string, value: object | null): void {
  writeDraft(userId, key, value === null ? null : JSON.stringify(value));
}

export function forgetDrafts(): void {
  try {
    for (const key of Object.keys(sessionStorage)) {
      if (key.startsWith(PREFIX)) sessionStorage.removeItem(key);
    }
  } catch {
    // Nothing was kept.
  }
}
