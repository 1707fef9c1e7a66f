/**
 * A Map bounded in size and in time, for values that must not linger in memory (decrypted
 * secrets, clients holding credentials). An entry lives `ttlMs` from when it was stored, however
 * often it is read, and is then dropped even if nobody asks for it again; past `maxEntries` the
 * oldest entry makes room.
 */
export class BoundedCache<K, V> {
  private readonly entries = new Map<K, { value: V; expiresAt: number }>();
  private sweepTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly maxEntries: number,
    private readonly ttlMs: number,
  ) {}

  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt > Date.now()) return entry.value;
    this.entries.delete(key);
    return undefined;
  }

  set(key: K, value: V): void {
    // Deleted first so the Map's order stays the order of expiry.
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { value, expiresAt: Date.now() + this.ttlMs });
    this.scheduleSweep(this.ttlMs);
  }

  delete(key: K): void {
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }

  private scheduleSweep(inMs: number) {
    // Unref'd: a pending sweep never keeps the process alive.
    this.sweepTimer ??= setTimeout(() => this.sweep(), inMs).unref();
  }

  private sweep() {
    this.sweepTimer = undefined;
    const now = Date.now();
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt > now) return this.scheduleSweep(entry.expiresAt - now);
      this.entries.delete(key);
    }
  }
}
