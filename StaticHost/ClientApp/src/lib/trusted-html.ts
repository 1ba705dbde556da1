// The one way HTML enters the page. The Content-Security-Policy says `require-trusted-types-for 'script'` and
// `trusted-types sanitized-html`: the browser refuses a plain string for innerHTML and any other HTML sink, and lets
// this module create exactly one policy, under that name. Its only input is HTML the server rendered from Markdown and
// sanitized (WebApi's ContentSanitizer: an allow-list of tags and attributes, no scripts, handlers, styles or
// javascript: URLs), e.g. a review item's `notesHtml`. Everything else reaches the DOM as text, through Preact.

interface TrustedHTML {
  readonly __brand: "TrustedHTML";
}

interface TrustedTypePolicy {
  createHTML(input: string): TrustedHTML;
}

interface TrustedTypePolicyFactory {
  createPolicy(name: string, rules: { createHTML: (input: string) => string }): TrustedTypePolicy;
}

/** Named in StaticHost's Content-Security-Policy (AssetEndpoints.DocumentContentSecurityPolicy). */
export const POLICY_NAME = "sanitized-html";

const factory = (globalThis as { trustedTypes?: TrustedTypePolicyFactory }).trustedTypes;
const policy = factory?.createPolicy(POLICY_NAME, { createHTML: (serverSanitized) => serverSanitized });

/** Sets the content of `element` to HTML that WebApi sanitized. Never pass it anything else. */
export function setServerSanitizedHtml(element: Element, serverSanitized: string): void {
  // Without Trusted Types (older browsers) the string is assigned as it is; the CSP still blocks any script in it.
  (element as unknown as { innerHTML: TrustedHTML | string }).innerHTML = policy ? policy.createHTML(serverSanitized) : serverSanitized;
}
