// Most findings of a control look at one value with few distinct contents ({StorageEncrypted:
// true}). Sharing one frozen values object per distinct primitive keeps 2.5M findings from
// costing 2.5M objects; unbounded variety (ids, timestamps) stops interning after a cap.
const CAP = 1024;

export class ValuesInterner {
  private readonly byValue = new Map<unknown, Readonly<Record<string, unknown>>>();
  private key: string | undefined;
  private open = true;

  /** Returns a shared frozen copy of `values` when it has one primitive entry, else `values`. */
  intern(values: Record<string, unknown>): Record<string, unknown> {
    if (!this.open) return values;
    let only: string | undefined;
    for (const k in values) {
      if (only !== undefined) return values;
      only = k;
    }
    if (only === undefined) return values;
    if (this.key === undefined) this.key = only;
    else if (this.key !== only) return values;
    const v = values[only];
    if (v !== null && typeof v === 'object') return values;
    const hit = this.byValue.get(v);
    if (hit) return hit;
    if (this.byValue.size >= CAP) {
      this.open = false;
      return values;
    }
    const frozen = Object.freeze(values);
    this.byValue.set(v, frozen);
    return frozen;
  }

  /** `intern({ [key]: v })` without building the object first when a shared one exists. */
  internOne(key: string, v: unknown): Record<string, unknown> {
    if (Array.isArray(v)) return this.internList(key, v);
    if (!this.open || (v !== null && typeof v === 'object') || (this.key !== undefined && this.key !== key)) return { [key]: v };
    // neighbouring resources mostly share a value (true, true, true...): skip the map then
    if (v === this.lastValue && this.last !== undefined) return this.last;
    this.key = key;
    let hit = this.byValue.get(v);
    if (!hit) {
      hit = { [key]: v };
      if (this.byValue.size >= CAP) {
        this.open = false;
        return hit;
      }
      this.byValue.set(v, Object.freeze(hit));
    }
    this.lastValue = v;
    this.last = hit;
    return hit;
  }

  private lastValue: unknown;
  private last: Record<string, unknown> | undefined;
  private lastList: { key: string; list: readonly unknown[]; values: Record<string, unknown> } | undefined;
  private listTries = 0;
  private listHits = 0;
  private listOpen = true;

  /**
   * A list value ({AvailabilityZones: [...]}) is shared with the previous finding's when they hold
   * the same primitives in the same order: records come scope by scope, and neighbours in a
   * region mostly look alike. Lists that differ every time (ids) stop the attempt after a trial.
   */
  private internList(key: string, list: readonly unknown[]): Record<string, unknown> {
    if (!this.listOpen) return { [key]: list };
    const prev = this.lastList;
    if (prev !== undefined && prev.key === key && samePrimitives(prev.list, list)) {
      this.listHits++;
      return prev.values;
    }
    if (++this.listTries >= TRIAL && this.listHits * 4 < this.listTries) {
      this.listOpen = false;
      return { [key]: list };
    }
    const values = Object.freeze({ [key]: list });
    this.lastList = { key, list, values };
    return values;
  }
}

/** after this many lists that differed from their neighbour, stop comparing unless one in four matched */
const TRIAL = 2048;

/** Same length, and element by element the same primitive (objects never count as the same). */
function samePrimitives(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    if (x !== b[i] || (x !== null && typeof x === 'object')) return false;
  }
  return true;
}
