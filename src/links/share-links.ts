/** What the faces need of share links: the service, where links are served, and their sweep. */
import type { LinkService } from './service.js';
import type { LinkSweeper } from './sweep.js';

/** The path under which a link's token is served. */
export const SHARE_PREFIX = '/s/';

export interface ShareLinks {
  service: LinkService;
  /** Base of the URLs handed out; undefined: the origin each creating request came to. */
  publicUrl: string | undefined;
  /** Removes ended links' records, on its timer from the app's start to its close. */
  sweeper: LinkSweeper;
}
