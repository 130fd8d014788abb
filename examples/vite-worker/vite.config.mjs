// The Worker entry (src/worker.ts, from wrangler.jsonc) built and served by Cloudflare's Vite plugin, which runs it
// in workerd for `vite dev` and `vite preview` exactly as it will run on Cloudflare. Loopback only.
import { defineConfig } from "vite";
import { cloudflare } from "@cloudflare/vite-plugin";

export default defineConfig({
  plugins: [cloudflare()],
  server: { host: "127.0.0.1", strictPort: true },
  preview: { host: "127.0.0.1", strictPort: true },
});
