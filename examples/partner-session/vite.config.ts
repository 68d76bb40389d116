import { defineConfig } from 'vite';

// The page is built into dist/web and served by the example's backend (server/app.ts), which
// also answers /api: one origin, so the page needs no CORS and no dev proxy.
export default defineConfig({
  root: import.meta.dirname,
  esbuild: { jsx: 'automatic', jsxDev: false },
  // Always React's production build, even when a test runner has set NODE_ENV=test.
  define: { 'process.env.NODE_ENV': JSON.stringify('production') },
  // The official client alone is ~500 kB minified; one chunk is fine for an example.
  build: {
    outDir: 'dist/web',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 1024,
    rollupOptions: {
      onwarn(warning, warn) {
        // zod's sources carry comments that mention @__PURE__ where Rollup cannot use them.
        if (warning.code === 'INVALID_ANNOTATION' && warning.id?.includes('/zod/')) return;
        warn(warning);
      },
    },
  },
  logLevel: 'warn',
});
