// Types of render-table.mjs (a plain script, runnable with node without a build step).
export declare const START: string;
export declare const END: string;
export declare function renderTable(differences: { differences: Array<{ entries: string[]; names: string[]; aspect?: string; direction?: string; status: string; reason: string }> }): string;
export declare function replaceTable(readme: string, table: string): string;
