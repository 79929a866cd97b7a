/** Escaping for XML 1.0 text and attributes; drops what XML 1.0 cannot carry at all. */

// Colour codes from workload output: without this, stripping ESC would leave `[31m` behind.
const ANSI_SEQUENCE = /\x1b\[[0-?]*[ -/]*[@-~]/g;
// Anything outside XML 1.0's Char production (C0 controls but tab/LF/CR, lone surrogates, U+FFFE/F).
const NOT_XML_CHAR = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

export function xmlSafe(text: string): string {
  return text.replace(ANSI_SEQUENCE, '').replace(NOT_XML_CHAR, '');
}

export function xmlText(text: string): string {
  return xmlSafe(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Attribute values keep their tabs and newlines as character references (parsers turn raw ones into spaces). */
export function xmlAttr(text: string): string {
  return xmlText(text).replace(/"/g, '&quot;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;');
}
