/**
 * A strict little XML reader for asserting on junit.xml: elements, attributes, text, the five
 * predefined entities and character references. Throws on anything not well-formed that our
 * writer could plausibly get wrong (unbalanced tags, raw `<` or `&`, characters XML 1.0 forbids).
 */

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** Concatenated text directly inside this element. */
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const FORBIDDEN = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const NAME = /^[A-Za-z_][\w.-]*/;

function decode(raw: string, where: number): string {
  if (raw.includes('<')) throw new Error(`raw '<' in text or attribute near offset ${where}`);
  return raw.replace(/&([^;]*);?/g, (whole, ref: string) => {
    if (!whole.endsWith(';')) throw new Error(`unterminated reference "${whole}" near offset ${where}`);
    if (ref in ENTITIES) return ENTITIES[ref]!;
    const m = /^#(x[0-9a-fA-F]+|[0-9]+)$/.exec(ref);
    if (!m) throw new Error(`unknown entity &${ref}; near offset ${where}`);
    const code = m[1]!.startsWith('x') ? parseInt(m[1]!.slice(1), 16) : parseInt(m[1]!, 10);
    const ch = String.fromCodePoint(code);
    if (FORBIDDEN.test(ch)) throw new Error(`character reference to forbidden U+${code.toString(16)} near offset ${where}`);
    return ch;
  });
}

/** Attribute values: literal tabs and newlines are normalised to spaces, as real parsers do. */
function decodeAttr(raw: string, where: number): string {
  return decode(raw.replace(/[\t\n\r]/g, ' '), where);
}

export function parseXml(xml: string): XmlElement {
  const bad = FORBIDDEN.exec(xml);
  if (bad) throw new Error(`forbidden character U+${bad[0].codePointAt(0)!.toString(16)} at offset ${bad.index}`);
  let i = 0;
  const declaration = /^<\?xml[^?]*\?>\s*/.exec(xml);
  if (declaration) i = declaration[0].length;
  const root: XmlElement = { name: '#document', attrs: {}, children: [], text: '' };
  const stack: XmlElement[] = [root];
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const textEnd = lt === -1 ? xml.length : lt;
    const top = stack[stack.length - 1]!;
    if (textEnd > i) {
      const text = decode(xml.slice(i, textEnd), i);
      if (top === root && text.trim()) throw new Error(`text outside the root element at offset ${i}`);
      top.text += text;
    }
    if (lt === -1) break;
    const gt = xml.indexOf('>', lt);
    if (gt === -1) throw new Error(`unterminated tag at offset ${lt}`);
    const tag = xml.slice(lt + 1, gt);
    if (tag.startsWith('/')) {
      const name = tag.slice(1).trim();
      const open = stack.pop();
      if (!open || open === root || open.name !== name) throw new Error(`</${name}> at offset ${lt} closes <${open?.name ?? 'nothing'}>`);
    } else {
      const selfClosing = tag.endsWith('/');
      const inner = selfClosing ? tag.slice(0, -1) : tag;
      const name = NAME.exec(inner)?.[0];
      if (!name) throw new Error(`bad tag <${tag}> at offset ${lt}`);
      const attrs: Record<string, string> = {};
      let rest = inner.slice(name.length);
      const ATTR = /^\s+([A-Za-z_][\w.-]*)="([^"]*)"/;
      for (let m = ATTR.exec(rest); m; m = ATTR.exec(rest)) {
        if (m[1]! in attrs) throw new Error(`duplicate attribute ${m[1]} on <${name}>`);
        attrs[m[1]!] = decodeAttr(m[2]!, lt);
        rest = rest.slice(m[0].length);
      }
      if (rest.trim()) throw new Error(`junk "${rest.trim().slice(0, 20)}" in <${name}> at offset ${lt}`);
      const el: XmlElement = { name, attrs, children: [], text: '' };
      if (top === root && root.children.length) throw new Error(`second root element <${name}>`);
      top.children.push(el);
      if (!selfClosing) stack.push(el);
    }
    i = gt + 1;
  }
  if (stack.length !== 1) throw new Error(`unclosed <${stack[stack.length - 1]!.name}>`);
  const doc = root.children[0];
  if (!doc) throw new Error('no root element');
  return doc;
}

/** Direct children named `name`. */
export function childrenNamed(el: XmlElement, name: string): XmlElement[] {
  return el.children.filter((c) => c.name === name);
}

/** The only direct child named `name`, or undefined. */
export function child(el: XmlElement, name: string): XmlElement | undefined {
  const found = childrenNamed(el, name);
  if (found.length > 1) throw new Error(`<${el.name}> has ${found.length} <${name}> children`);
  return found[0];
}
