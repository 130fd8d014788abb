/** Writes a zip archive (deflate) of the given entries; names are `/`-separated, folders end with `/`. */
export function writeZip(entries: Array<{ name: string; data: Uint8Array; mode?: number }>): Buffer;
