/** An object of the lake: its key relative to the lake's root (`topic=.../date=.../hour=.../<file>`). */
export interface LakeObject {
  key: string;
  size: number;
}

/**
 * Where the lake's files are kept: a local folder (store-file.ts) or an S3 bucket
 * (store-s3.ts). The sink's exactly-once rules (sink.ts) need only these operations, and
 * both targets give them the same meaning: a written object is visible whole or not at all,
 * and what an interrupted write left is found by prefix and removed.
 */
export interface LakeStore {
  /** Where the lake is (a folder, or s3://bucket/prefix), for logs and the query command. */
  readonly location: string;
  /**
   * Writes the object `key`: `fill` writes a local file at the path it is given, which then
   * becomes the object whole (renamed into place, or uploaded and completed). Returns its size.
   */
  write(key: string, fill: (path: string) => Promise<void>): Promise<number>;
  /** The complete objects under `prefix`. */
  list(prefix: string): Promise<LakeObject[]>;
  remove(keys: string[]): Promise<void>;
  /**
   * Removes what interrupted writes of objects named `namePrefix...` under `prefix` left
   * (temporary files; unfinished multipart uploads): never visible, but not to be kept.
   * Returns what it removed.
   */
  discardUnfinished(prefix: string, namePrefix: string): Promise<string[]>;
  /** Copies an object to a local file (for reading it with DuckDB). */
  download(key: string, path: string): Promise<void>;
  close(): Promise<void>;
}
