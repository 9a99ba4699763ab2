/** Tags as S3's XML has them, for objects and buckets alike: `<Tagging><TagSet><Tag><Key/><Value/></Tag>...`. */
import { ServiceError } from '../../../../errors/codes.js';
import type { Tags } from '../../../../storage/types.js';
import { childrenOf, listOf, malformed, onlyChildren, parseXml, textOf } from '../xml.js';

/** The tags of a Tagging document; MalformedXML for anything else in it, InvalidTag for a key given twice. */
export function tagsFromDocument(text: string): Tags {
  const root = parseXml(text, 'Tagging');
  onlyChildren(root, 'Tagging', ['TagSet']);
  if (root['TagSet'] === undefined) throw malformed('<Tagging> must hold a <TagSet>.');
  const set = childrenOf(root['TagSet']);
  onlyChildren(set, 'TagSet', ['Tag']);
  const tags: Tags = {};
  for (const node of listOf(set['Tag'])) {
    const tag = childrenOf(node);
    onlyChildren(tag, 'Tag', ['Key', 'Value']);
    const key = textOf(tag['Key']);
    if (key === undefined) throw malformed('Each <Tag> must have a <Key>.');
    if (Object.hasOwn(tags, key)) throw new ServiceError('InvalidTag', `Cannot provide multiple Tags with the same key: "${key}".`);
    tags[key] = textOf(tag['Value']) ?? '';
  }
  return tags;
}

/** The children of a Tagging answer. */
export function tagSetXml(tags: Tags): Record<string, unknown> {
  const listed = Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
  return { TagSet: listed.length > 0 ? { Tag: listed } : '' };
}
