/**
 * S3's XML, read with fast-xml-parser and written by elementXml below. Values stay strings (a key "0001" or
 * "1e3" is a key, not a number); answers carry the S3 namespace; request documents are bounded before they
 * are parsed.
 */
import { XMLParser } from 'fast-xml-parser';
import { ServiceError } from '../../../errors/codes.js';

export const S3_NAMESPACE = 'http://s3.amazonaws.com/doc/2006-03-01/';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

const escaped = (text: string): string => (/[&<>"']/.test(text) ? text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c) : text);

/**
 * `<name>` with `value` inside: text, children (keys starting with "@" are attributes, "#text" the text),
 * or, for a list, the element repeated. Answers are written by this small serializer of our own rather than
 * fast-xml-parser's builder, which made a 1,000-key listing answer ~4 ms slower (more than the listing
 * itself); requests are still read with fast-xml-parser.
 */
function elementXml(name: string, value: unknown): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.map((item) => elementXml(name, item)).join('');
  if (typeof value !== 'object') return `<${name}>${escaped(String(value))}</${name}>`;
  let attributes = '';
  let inner = '';
  for (const [child, content] of Object.entries(value)) {
    if (child.startsWith('@')) attributes += ` ${child.slice(1)}="${escaped(String(content))}"`;
    else if (child === '#text') inner += escaped(String(content));
    else inner += elementXml(child, content);
  }
  return `<${name}${attributes}>${inner}</${name}>`;
}

const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  ignoreDeclaration: true,
  processEntities: true,
  // numeric character references too: Go's encoder (rclone) writes the quotes of an ETag as &#34;
  htmlEntities: true,
  // repeated elements are arrays only where S3 repeats them; the readers ask with listOf()
});

/** An XML value: text, an element of named children, or a list of either. */
export type XmlNode = string | { [name: string]: XmlNode | XmlNode[] | undefined };

/** The answer document `<root xmlns=...>children</root>`, with its declaration (S3's error document has no namespace). */
export function xmlDocument(root: string, children: Record<string, unknown>, namespaced = true): string {
  const element = namespaced ? { '@xmlns': S3_NAMESPACE, ...children } : children;
  return `<?xml version="1.0" encoding="UTF-8"?>\n${elementXml(root, element)}`;
}

/** Sends `<root>` as the answer (200 unless the reply says otherwise). */
export function sendXml(reply: { type(t: string): { send(body: string): unknown } }, root: string, children: Record<string, unknown>): unknown {
  return reply.type('application/xml').send(xmlDocument(root, children));
}

/** Request documents are small (a 1,000-key delete is ~1.1 MB at most): larger ones are refused unread. */
export const MAX_XML_BODY = 2 * 1024 * 1024;

/** The document's root element, by name; MalformedXML when the text is not XML or the root is another. */
export function parseXml(text: string, root: string): Record<string, XmlNode | XmlNode[] | undefined> {
  let parsed: unknown;
  try {
    parsed = parser.parse(text, true);
  } catch {
    throw new ServiceError('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema.');
  }
  const element = (parsed as Record<string, unknown> | undefined)?.[root];
  if (element === undefined) throw new ServiceError('MalformedXML', `The XML document must have the root element <${root}>.`);
  return typeof element === 'object' && element !== null ? (element as Record<string, XmlNode>) : {};
}

/** The children of one name as a list, however many there were. */
export function listOf(value: XmlNode | XmlNode[] | undefined): XmlNode[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** A child's text ('' for an empty element), or undefined when absent. */
export function textOf(node: XmlNode | XmlNode[] | undefined): string | undefined {
  if (node === undefined) return undefined;
  if (typeof node === 'string') return node;
  if (Array.isArray(node)) return textOf(node[0]);
  return '';
}

export type XmlChildren = Record<string, XmlNode | XmlNode[] | undefined>;

export function malformed(message: string): ServiceError {
  return new ServiceError('MalformedXML', message);
}

export const texts = (node: XmlNode | XmlNode[] | undefined): string[] => listOf(node).map((item) => (textOf(item) ?? '').trim());

/** MalformedXML for a child this element may not have: a misspelt element must not be dropped unseen. */
export function onlyChildren(element: XmlChildren, where: string, allowed: readonly string[]): void {
  for (const [name, value] of Object.entries(element)) {
    if (allowed.includes(name)) continue;
    // the white space between elements of an indented document
    if (name === '#text' && texts(value).every((text) => text === '')) continue;
    throw malformed(name === '#text' ? `<${where}> may not hold text.` : `<${where}> may not hold <${name}>.`);
  }
}

/** A child element's children, or an empty record. */
export function childrenOf(node: XmlNode | XmlNode[] | undefined): Record<string, XmlNode | XmlNode[] | undefined> {
  const one = Array.isArray(node) ? node[0] : node;
  return typeof one === 'object' && one !== null ? one : {};
}
