/**
 * The lines of a block of text, one at a time with their 1-based numbers, without building an array
 * of lines: what every parser fed block by block (Source.readLineBlocks) walks. A trailing "\r" is
 * dropped; the empty text after a final "\n" is not a line. `linesBefore`: lines of the file before
 * this block, so a streamed file's numbers follow on from block to block.
 * @example let n = 0; for await (const block of source.readLineBlocks(file)) n += eachLine(block, (line, i) => rows.push([i, line]), n);
 */
export function eachLine(text: string, fn: (line: string, n: number) => void, linesBefore = 0): number {
  let start = 0;
  let n = linesBefore;
  const len = text.length;
  while (start < len) {
    let end = text.indexOf("\n", start);
    if (end < 0) end = len;
    n++;
    const line = text.slice(start, end);
    fn(line.endsWith("\r") ? line.slice(0, -1) : line, n);
    start = end + 1;
  }
  return n - linesBefore;
}
