/**
 * Notes a recorded source carries about itself — what could not be read, what vanished or was
 * skipped while it was opened, how its files differ from its manifest — so that every report made
 * from it says so, not only inventory(). A report knows its source by the source's description
 * (ReportInit.source is `source.describe()`), so the notes are kept by that description.
 */
const notesBySource = new Map<string, readonly string[]>();

/** Remember a source's notes under its description (called when a recorded source is made). */
export function registerSourceNotes(description: string, notes: readonly string[]): void {
  if (notes.length) notesBySource.set(description, notes);
  else notesBySource.delete(description);
}

/** The notes of the source a report names (none for live sources or sources without notes). */
export function sourceNotesFor(description: string | undefined): readonly string[] {
  return (description && notesBySource.get(description)) || [];
}

/** A helper's notes followed by its source's notes, each once. */
export function withSourceNotes(notes: readonly string[], description: string | undefined): string[] {
  const out = [...notes];
  for (const n of sourceNotesFor(description)) if (!out.includes(n)) out.push(n);
  return out;
}
