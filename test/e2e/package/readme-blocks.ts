// The README's TypeScript code blocks, extracted generically so that sections added later are checked too.
//  - Every ```ts / ```typescript block is taken, also when indented (inside a list item).
//  - A block whose first line is `// name.ts` is that file: other blocks may import it ("./name.js").
//  - Opting out: an HTML comment on the line right before the fence, `<!-- readme-test: skip <reason> -->`. A reason
//    is required, and is printed by the test.
//  - `…` marks an elided part in prose-like snippets (`handlers: { … }`); it becomes a comment, `/* … */`.

export interface ReadmeBlock {
  /** 1-based line of the opening fence. */
  line: number;
  /** The nearest heading above the block. */
  section: string;
  /** File name given by a leading `// name.ts` comment, if any. */
  fileName: string | undefined;
  code: string;
  /** Set when the block opted out. */
  skipReason: string | undefined;
}

const FENCE_OPEN = /^(\s*)```(ts|typescript)\s*$/;
const SKIP = /^\s*<!--\s*readme-test:\s*skip\b\s*(.*?)\s*-->\s*$/;

export function extractBlocks(markdown: string): ReadmeBlock[] {
  const lines = markdown.split("\n");
  const blocks: ReadmeBlock[] = [];
  let section = "";
  let inOtherFence = false;
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i]!;
    if (!inOtherFence && /^#{1,6}\s/.test(text)) section = text.replace(/^#+\s*/, "");
    const open = FENCE_OPEN.exec(text);
    if (!open) {
      if (/^\s*```/.test(text)) inOtherFence = !inOtherFence;
      continue;
    }
    if (inOtherFence) continue;
    const indent = open[1]!.length;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !/^\s*```\s*$/.test(lines[j]!); j++) body.push(lines[j]!.slice(Math.min(indent, lines[j]!.length - lines[j]!.trimStart().length)));
    if (j >= lines.length) throw new Error(`README.md:${i + 1}: a code block is never closed`);
    const skip = i > 0 ? SKIP.exec(lines[i - 1]!) : null;
    if (skip && !skip[1]) throw new Error(`README.md:${i}: readme-test: skip needs a reason`);
    const fileName = /^\/\/\s*([\w.-]+\.ts)\s*$/.exec(body[0] ?? "")?.[1];
    blocks.push({ line: i + 1, section, fileName, code: body.join("\n").replaceAll("…", "/* … */") + "\n", skipReason: skip?.[1] });
    i = j;
  }
  return blocks;
}

/** Identifiers a block declares or imports itself. */
export function declaredNames(code: string): Set<string> {
  const names = new Set<string>();
  const patterns = [
    /\b(?:const|let|var|function|class|interface|type|enum)\s+([A-Za-z_$][\w$]*)/g,
    /\bimport\s+\*\s+as\s+([A-Za-z_$][\w$]*)/g,
    /\bimport\s+([A-Za-z_$][\w$]*)\s*(?:,|\s+from)/g,
  ];
  for (const pattern of patterns) for (const m of code.matchAll(pattern)) names.add(m[1]!);
  for (const m of code.matchAll(/\bimport\s+(?:type\s+)?(?:[A-Za-z_$][\w$]*\s*,\s*)?\{([^}]*)\}/g)) {
    for (const part of m[1]!.split(",")) {
      const name = part.trim().replace(/^type\s+/, "").split(/\s+as\s+/).pop()?.trim();
      if (name) names.add(name);
    }
  }
  return names;
}
