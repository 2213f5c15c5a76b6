/**
 * A Map that splits in 16 by a key's last character once it is big. A JS Map rehashes all its
 * entries in one go when it grows; at a million entries that is a ~100 ms block. Split, each
 * rehash moves a sixteenth. Small maps (most traces) stay one Map. Keys here are span ids
 * (hex), whose last character is evenly spread.
 */
/** Entries at which a map splits, by default. */
export const SPLIT_AT = 1 << 15;

export class ShardedMap<V> {
  private whole: Map<string, V> | undefined = new Map<string, V>();
  private shards: Map<string, V>[] | undefined;

  constructor(private readonly splitAt = SPLIT_AT) {}

  private mapOf(key: string): Map<string, V> {
    if (this.whole) return this.whole;
    return this.shards![ShardedMap.shardOf(key)];
  }

  /** The shard `key` lives in once the map is split (0–15). */
  static shardOf(key: string): number {
    const c = key.charCodeAt(key.length - 1);
    // '0'–'9' → 0–9, 'a'–'f' and 'A'–'F' → 10–15; anything else lands somewhere in 0–15.
    return ((c & 15) + (c >> 6) * 9) & 15;
  }

  /** Whether it has split: then it iterates shard by shard (`shardOf`), not in insertion order. */
  get isSplit(): boolean {
    return this.whole === undefined;
  }

  get size(): number {
    if (this.whole) return this.whole.size;
    let size = 0;
    for (const shard of this.shards!) size += shard.size;
    return size;
  }

  get(key: string): V | undefined {
    return this.mapOf(key).get(key);
  }

  has(key: string): boolean {
    return this.mapOf(key).has(key);
  }

  set(key: string, value: V): this {
    if (this.whole && this.whole.size >= this.splitAt && !this.whole.has(key)) this.split();
    this.mapOf(key).set(key, value);
    return this;
  }

  delete(key: string): boolean {
    return this.mapOf(key).delete(key);
  }

  /** Deleting the entry just visited while iterating is safe, as with a Map. */
  *entries(): IterableIterator<[string, V]> {
    if (this.whole) yield* this.whole.entries();
    else for (const shard of this.shards!) yield* shard.entries();
  }

  *values(): IterableIterator<V> {
    if (this.whole) yield* this.whole.values();
    else for (const shard of this.shards!) yield* shard.values();
  }

  /** Once, at `splitAt` entries: later growth rehashes one shard at a time. */
  private split(): void {
    const whole = this.whole!;
    this.whole = undefined;
    this.shards = Array.from({ length: 16 }, () => new Map<string, V>());
    for (const [key, value] of whole) this.mapOf(key).set(key, value);
  }
}
