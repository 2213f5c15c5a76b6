/**
 * One string for each of the few distinct values that many runs repeat (recorded code paths,
 * span names, model names): what a run keeps after its spans are evicted would otherwise hold
 * its own copy of each, read from its own line of JSON.
 */
export class Interned {
  private readonly known = new Map<string, string>();

  /** `maxLength`: longer strings are rare and would stay held by the table after their runs are gone. */
  constructor(
    private readonly maxSize = 50_000,
    private readonly maxLength = 1024,
  ) {}

  get(value: string): string {
    if (value.length > this.maxLength) return value;
    const known = this.known.get(value);
    if (known !== undefined) return known;
    // A table grown this big holds mostly values of runs long gone: start over.
    if (this.known.size >= this.maxSize) this.known.clear();
    this.known.set(value, value);
    return value;
  }
}
