/**
 * The office and auditor console (issue 12): a Preact single-page app built by Vite into console/dist/, which the
 * service itself serves at /console/ (src/console). No CDN and no external fonts: every asset is bundled, so the
 * console works on a city intranet without internet.
 */
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  // Preact's automatic JSX runtime (tsconfig: jsxImportSource preact), compiled by Vite's own transformer.
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // dist/.vite/manifest.json: the entry chunk and its static imports, measured by test/console/bundle.test.ts.
    manifest: true,
    // The service's Content-Security-Policy allows no inline script or style: nothing may be inlined as data: URLs
    // of scripts, and the module preload polyfill (an inline script) is not needed by the browsers we support.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: false,
    reportCompressedSize: false,
    chunkSizeWarningLimit: 1200,
  },
})
