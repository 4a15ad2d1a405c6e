/**
 * Characters a person cannot see or type on purpose: C0/C1 control characters (NUL, BEL, ESC…), and format
 * characters (general category Cf): zero-width spaces and joiners, the byte-order mark, soft hyphens and the
 * bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069) that make "anh‮gnp.exe" read as
 * "anhexe.png". Stored, they let a name look empty or like someone else's, and reorder text an official reads.
 *
 * Tab, line feed and carriage return are white space, not hidden; a zero-width joiner right after an emoji
 * (👨‍👩‍👧, on a phone keyboard) is part of that emoji. Everything else in the set is refused, not stripped: the
 * citizen's form shows the same field error the server would, so nothing changes behind their back.
 */
const HIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]|(?<!\p{Extended_Pictographic}\uFE0F?)\u200D|(?!\u200D)\p{Cf}/u;

/** True when the text holds a control or invisible format character (see above). */
export function hasHiddenCharacters(text: string): boolean {
  return HIDDEN.test(text);
}

/** A person's name has at least one letter, in any script ("Nguyễn", "H'Hen Niê", not "123" or "-"). */
export function hasLetter(text: string): boolean {
  return /\p{L}/u.test(text);
}
