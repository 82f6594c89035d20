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
    if (hit) return hit as Record<string, unknown>;
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
    if (!this.open || (v !== null && typeof v === 'object') || (this.key !== undefined && this.key !== key)) return { [key]: v };
    this.key = key;
    const hit = this.byValue.get(v);
    if (hit) return hit as Record<string, unknown>;
    const values = { [key]: v };
    if (this.byValue.size >= CAP) {
      this.open = false;
      return values;
    }
    this.byValue.set(v, Object.freeze(values));
    return values;
  }
}
