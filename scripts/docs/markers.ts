// The marked blocks of a Markdown file: `<!-- generated:NAME -->`, generated text, `<!-- /generated -->`.
// Everything outside the markers is the author's; everything inside belongs to `npm run docs`.

export interface MarkedBlock {
  name: string;
  /** The text between the two marker lines, without their newlines. */
  body: string;
}

const OPEN = /<!-- generated:([a-z0-9][a-z0-9-]*) -->/g;
const CLOSE = "<!-- /generated -->";

/** The blocks of a file in order; an unterminated or nested block is an error naming the file and line. */
export function findBlocks(text: string, file: string): MarkedBlock[] {
  const blocks: MarkedBlock[] = [];
  for (const m of text.matchAll(OPEN)) {
    const start = m.index + m[0].length;
    const end = text.indexOf(CLOSE, start);
    const line = text.slice(0, m.index).split("\n").length;
    if (end < 0) throw new Error(`${file}:${line}: <!-- generated:${m[1]} --> has no ${CLOSE}`);
    const body = text.slice(start, end);
    if (body.includes("<!-- generated:"))
      throw new Error(`${file}:${line}: <!-- generated:${m[1]} --> is not closed before the next block opens`);
    blocks.push({ name: m[1], body: body.replace(/^\n/, "").replace(/\n$/, "") });
  }
  return blocks;
}

/** The text with every block's body replaced by `render(name, body)`. */
export function rewriteBlocks(text: string, file: string, render: (name: string, body: string) => string): string {
  findBlocks(text, file); // validates the markers before anything is replaced
  return text.replace(
    /(<!-- generated:([a-z0-9][a-z0-9-]*) -->)\n?([\s\S]*?)\n?(<!-- \/generated -->)/g,
    (_all, open: string, name: string, old: string, close: string) => {
      const body = render(name, old).replace(/\n+$/, "");
      return `${open}\n${body}\n${close}`;
    },
  );
}
