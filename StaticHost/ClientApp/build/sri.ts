import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, normalize, sep } from "node:path";
import type { Plugin } from "vite";

/** A start tag as written, and its attributes by lower-case name. */
interface Tag {
  text: string;
  name: string;
  attributes: Map<string, string>;
}

const tagPattern = /<(script|link|style)\b[^>]*>/gi;
const attributePattern = /([^\s=/>]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;

function parseTag(text: string): Tag {
  const name = /^<(\w+)/.exec(text)![1]!.toLowerCase();
  const attributes = new Map<string, string>();
  for (const match of text.slice(name.length + 1).matchAll(attributePattern)) {
    attributes.set(match[1]!.toLowerCase(), match[2] ?? match[3] ?? match[4] ?? "");
  }
  return { text, name, attributes };
}

/** The subresource a tag loads that SRI covers: scripts, stylesheets and module preloads. */
function subresourceUrl(tag: Tag): string | null {
  if (tag.name === "script") {
    return tag.attributes.get("src") ?? null;
  }
  if (tag.name === "link") {
    const rel = (tag.attributes.get("rel") ?? "").toLowerCase().split(/\s+/);
    if (rel.includes("stylesheet") || rel.includes("modulepreload") || rel.includes("preload")) {
      return tag.attributes.get("href") ?? null;
    }
  }
  return null;
}

/**
 * Adds `integrity="sha384-..."` (and `crossorigin`) to every script, stylesheet and module preload in index.html,
 * hashed from the files exactly as written to the output folder, after every other plugin is done with them: the bytes
 * StaticHost serves (it never rewrites them; br and gzip are content codings, which SRI checks after decoding).
 *
 * The build fails instead of writing a page the policy would break or SRI would not cover: an inline script or
 * style, a `style` or `on*` attribute, or a script or stylesheet that is not one of our own files.
 */
export function subresourceIntegrity(): Plugin {
  let outDir = "";
  return {
    name: "readiness:subresource-integrity",
    apply: "build",
    enforce: "post",
    configResolved(config) {
      outDir = normalize(join(config.root, config.build.outDir));
    },
    writeBundle: {
      order: "post",
      sequential: true,
      handler() {
        const indexPath = join(outDir, "index.html");
        const html = readFileSync(indexPath, "utf8");
        const problems: string[] = [];

        if (/\sstyle\s*=/i.test(html)) problems.push("a style attribute (CSP style-src 'self' blocks it)");
        if (/<[a-z][^>]*\son[a-z]+\s*=/i.test(html)) problems.push("an on* event-handler attribute (CSP blocks it)");

        const rewritten = html.replace(tagPattern, (text) => {
          const tag = parseTag(text);
          if (tag.name === "style") {
            problems.push("an inline <style> (CSP style-src 'self' blocks it)");
            return text;
          }
          if (tag.name === "script" && !tag.attributes.has("src")) {
            problems.push("an inline <script> (CSP script-src 'self' blocks it)");
            return text;
          }
          const url = subresourceUrl(tag);
          if (url === null) return text;
          if (!url.startsWith("/") || url.startsWith("//")) {
            problems.push(`${url}: third-party or relative subresources are not allowed; bundle it`);
            return text;
          }
          const file = normalize(join(outDir, decodeURIComponent(url.split(/[?#]/)[0]!)));
          if (!file.startsWith(outDir + sep) || !existsSync(file)) {
            problems.push(`${url}: not a file of the build output`);
            return text;
          }
          const integrity = "sha384-" + createHash("sha384").update(readFileSync(file)).digest("base64");
          let extra = "";
          if (!tag.attributes.has("integrity")) extra += ` integrity="${integrity}"`;
          else if (tag.attributes.get("integrity") !== integrity) problems.push(`${url}: integrity attribute does not match the file`);
          if (!tag.attributes.has("crossorigin")) extra += " crossorigin";
          return text.replace(/\s*\/?>$/, (end) => extra + end);
        });

        if (problems.length > 0) {
          throw new Error(`index.html cannot be served under the Content-Security-Policy:\n  ${problems.join("\n  ")}`);
        }
        writeFileSync(indexPath, rewritten);
      },
    },
  };
}
