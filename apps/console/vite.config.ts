import { defineConfig } from 'vite';

// The page: Preact through esbuild's JSX transform (no plugin), one bundle into dist/web,
// which the console's server serves. Sizes are measured in the README.
export default defineConfig({
  root: import.meta.dirname,
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: 'dist/web',
    emptyOutDir: true,
    sourcemap: true,
    target: 'es2022',
    reportCompressedSize: true,
  },
});
