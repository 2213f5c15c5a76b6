/**
 * A Map split in 16 by a key's last character. A JS Map rehashes all its entries in one go
 * when it grows; at a million entries that is a ~100 ms block. Split, each rehash moves a
 * sixteenth. Keys here are span ids (hex), whose last character is evenly spread.
 */
export class ShardedMap<V> {
  private readonly shards: Map<string, V>[] = Array.from({ length: 16 }, () => new Map<string, V>());

  private shard(key: string): Map<string, V> {
    const c = key.charCodeAt(key.length - 1);
    // '0'–'9' → 0–9, 'a'–'f' and 'A'–'F' → 10–15; anything else lands somewhere in 0–15.
    return this.shards[((c & 15) + (c >> 6) * 9) & 15];
  }

  get size(): number {
    let size = 0;
    for (const shard of this.shards) size += shard.size;
    return size;
  }

  get(key: string): V | undefined {
    return this.shard(key).get(key);
  }

  has(key: string): boolean {
    return this.shard(key).has(key);
  }

  set(key: string, value: V): this {
    this.shard(key).set(key, value);
    return this;
  }

  delete(key: string): boolean {
    return this.shard(key).delete(key);
  }

  /** Deleting the entry just visited while iterating is safe, as with a Map. */
  *entries(): IterableIterator<[string, V]> {
    for (const shard of this.shards) yield* shard.entries();
  }

  *values(): IterableIterator<V> {
    for (const shard of this.shards) yield* shard.values();
  }
}
