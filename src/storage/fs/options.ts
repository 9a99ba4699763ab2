export interface FsStoreOptions {
  /** Folder holding everything the store writes; created when missing. */
  dataDir: string;
  /**
   * fsync data, directories and metadata before acknowledging a write (default true).
   * Only tests and benchmarks that measure the cost of durability turn it off.
   */
  durable?: boolean;
}
