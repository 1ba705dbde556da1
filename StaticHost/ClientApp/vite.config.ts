import { defineConfig } from "vite";
import { subresourceIntegrity } from "./build/sri.ts";

// The single-page app StaticHost serves. `npm run build` (run by StaticHost.csproj) writes it to ../wwwroot, which
// StaticHost's asset pipeline serves as it is: Vite's content-hashed names under /assets/, no-cache index.html.
export default defineConfig({
  // Absolute URLs, so /services/<id> loads /assets/... and not /services/assets/...
  base: "/",
  oxc: {
    jsx: { runtime: "automatic", importSource: "preact" },
  },
  build: {
    outDir: "../wwwroot",
    emptyOutDir: true,
    target: "es2022",
    // No data: URLs (img-src stays 'self') and no inlined fonts or images: every asset is a file of its own.
    assetsInlineLimit: 0,
    // The page is one module and one stylesheet, both named in index.html with an integrity hash: no polyfill
    // script, and no chunk loaded later that index.html could not vouch for.
    modulePreload: { polyfill: false },
    cssCodeSplit: false,
    sourcemap: false,
    reportCompressedSize: false,
    rolldownOptions: {
      output: {
        // Vite's defaults, spelled out because StaticHost relies on them: a content hash in every name under assets/.
        entryFileNames: "assets/[name]-[hash].js",
        chunkFileNames: "assets/[name]-[hash].js",
        assetFileNames: "assets/[name]-[hash][extname]",
      },
    },
  },
  plugins: [subresourceIntegrity()],
});
