// Watches the entry's folder (recursively) and calls `onChange` once per burst of changes (debounced), ignoring
// dependencies, build output and editor droppings.
import * as fs from "node:fs";
import * as path from "node:path";

const IGNORED = /(^|[/\\])(node_modules|\.perdure|\.git|dist|\.wrangler)([/\\]|$)|(~|\.swp|\.swx|\.tmp|#)$/;

export interface Watcher {
  close(): void;
}

export function watchFolder(dir: string, onChange: (files: string[]) => void, debounceMs = 200): Watcher {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let changed = new Set<string>();
  const watcher = fs.watch(dir, { recursive: true }, (_event, filename) => {
    const name = filename ? String(filename) : "";
    if (name && IGNORED.test(name)) return;
    changed.add(name ? path.join(dir, name) : dir);
    clearTimeout(timer);
    timer = setTimeout(() => {
      const files = [...changed];
      changed = new Set();
      onChange(files);
    }, debounceMs);
  });
  watcher.on("error", () => {});
  return {
    close() {
      clearTimeout(timer);
      watcher.close();
    },
  };
}
