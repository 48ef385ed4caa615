/**
 * Escaping for values read from a store. Manifests and drill records are untrusted data: a
 * record may carry markup or Markdown meant to forge a verdict, so every value is escaped where
 * it is written, never trusted to be an id or a number.
 */

const HTML: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text safe inside HTML element content and quoted attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => HTML[c]!);
}

/**
 * Text safe in a Markdown table cell of a GitHub job summary: HTML special characters as
 * entities (summaries render inline HTML), the Markdown punctuation that marks up inline text backslash-escaped, pipes
 * escaped and line breaks flattened so a value cannot end its cell or row.
 */
export function escapeMarkdown(value: unknown): string {
  return String(value)
    .replace(/\r?\n|\r/g, ' ')
    .replace(/[&<>"']/g, (c) => HTML[c]!)
    .replace(/[\\`*_[\]()|~]/g, (c) => `\\${c}`);
}
