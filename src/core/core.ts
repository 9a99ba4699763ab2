/**
 * The core: what every face of the service shares, built once per process. The store and its wrappers
 * (measured, then the share links' own area, then the system bucket hidden, then names checked), the access
 * keys and their reload, the share links and their sweep, the metrics registry and the logger. Every
 * listener's app is built from it (app.ts); no face builds any of these.
 */
import type { Logger } from 'pino';
import { Keyring } from '../auth/keys.js';
import { reloadKeys, type ConfigReader } from '../auth/reload.js';
import type { Config } from '../config/schema.js';
import { hideSystemBucket } from '../links/hidden-store.js';
import { LinkRepository } from '../links/repository.js';
import { LinkService } from '../links/service.js';
import type { ShareLinks } from '../links/share-links.js';
import { LinkSweeper } from '../links/sweep.js';
import { SystemArea, systemBucketFor } from '../links/system-area.js';
import { Metrics } from '../metrics/registry.js';
import { instrumentStore } from '../storage/instrumented.js';
import type { ObjectStore } from '../storage/types.js';
import { checkedStore } from './checked-store.js';

export interface CoreDeps {
  config: Config;
  /** The backend as opened (createStore); its owner closes it after the core stops. */
  store: ObjectStore;
  logger: Logger;
}

export interface Core {
  readonly config: Config;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** The store every face is given: calls measured, the system bucket hidden, names checked. */
  readonly store: ObjectStore;
  /**
   * The same without the name checks, for share-link transfers: a link's names were checked when it was
   * made, and the checks' answers are not a link holder's business.
   */
  readonly linkStore: ObjectStore;
  /** The backend as measured, for health checks. */
  readonly measuredStore: ObjectStore;
  readonly links: ShareLinks;
  /** The configured keys; null for a service without any (open, kept on loopback by protected mode). */
  readonly keys: Keyring | null;
  /** Starts the core's own work (the share-link sweep); call once the listeners are up. */
  start(): void;
  /** Stops it, awaiting a sweep under way; the store stays open for its owner to close. */
  stop(): Promise<void>;
  /** SIGHUP: the keys re-read through `read`, for every listener at once; returns whether they changed. */
  reloadKeys(read: ConfigReader): boolean;
}

export function buildCore({ config, store: backend, logger }: CoreDeps): Core {
  const metrics = new Metrics();
  const measuredStore = instrumentStore(backend, metrics);
  // share links keep their state in a system bucket of the store; on fs its name is one no caller can give
  const systemBucket = systemBucketFor(measuredStore, config.links.systemBucket);
  const area = new SystemArea(measuredStore, systemBucket);
  const sweeper = new LinkSweeper(new LinkRepository(area), config.links, logger);
  const links: ShareLinks = { service: new LinkService(area), publicUrl: config.links.publicUrl, sweeper };
  const linkStore = hideSystemBucket(measuredStore, systemBucket);
  // names are checked before the metrics see a call: a bad name is the caller's error, not the store's
  const store = checkedStore(linkStore);
  const keys = config.auth.keys.length > 0 ? new Keyring(config.auth.keys) : null;
  return {
    config,
    logger,
    metrics,
    store,
    linkStore,
    measuredStore,
    links,
    keys,
    start: () => sweeper.start(),
    stop: () => sweeper.stop(),
    reloadKeys: (read) => reloadKeys(keys, read, logger),
  };
}
