/**
 * JSON from outside is bounded in depth before anything walks it: JSON.parse copes with 100,000 nested arrays,
 * but every recursive walk after it (NFC normalisation, validation, cloning) would overflow the stack. The
 * check reads the text once, without recursion or allocation, so it costs nothing next to the parse itself.
 */

/** Deeper than any of our schemas (a registration's deepest field is 4 levels down) by a wide margin. */
export const MAX_JSON_DEPTH = 32;

/** True when no array or object in the JSON text nests deeper than `max`. Strings are skipped, escapes too. */
export function jsonDepthWithin(text: string, max = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i += 1; // backslash: the next character is escaped
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      depth += 1;
      if (depth > max) return false;
    } else if (c === 0x5d || c === 0x7d) depth -= 1;
  }
  return true;
}
