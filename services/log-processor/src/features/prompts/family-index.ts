import { FAMILY_THRESHOLD, similarity } from './similarity.ts';

/** Signatures kept per family: its first version and the most recent others, so memory stays bounded. */
const SIGNATURES_PER_FAMILY = 32;

interface Entry {
  id: string;
  createdAt: number;
  signatures: Uint32Array[];
}

/**
 * The detected families and the MinHash signatures of their versions, in memory. A new version is compared
 * with every kept signature (128 integer comparisons each), which only happens for a text not seen before.
 */
export class FamilyIndex {
  private readonly families = new Map<string, Entry>();

  private readonly threshold: number;

  constructor(threshold = FAMILY_THRESHOLD) {
    this.threshold = threshold;
  }

  get size(): number {
    return this.families.size;
  }

  add(familyId: string, createdAt: number, sig?: Uint32Array): void {
    let e = this.families.get(familyId);
    if (!e) {
      e = { id: familyId, createdAt, signatures: [] };
      this.families.set(familyId, e);
    }
    if (!sig) return;
    if (e.signatures.length >= SIGNATURES_PER_FAMILY) e.signatures.splice(1, 1);
    e.signatures.push(sig);
  }

  /**
   * The family most similar to `sig` at or above the threshold; on a tie the oldest (then smallest id),
   * so every replica holding the same families picks the same one.
   */
  best(sig: Uint32Array): { familyId: string; similarity: number } | null {
    let found: { e: Entry; s: number } | null = null;
    for (const e of this.families.values()) {
      let s = 0;
      for (const other of e.signatures) s = Math.max(s, similarity(sig, other));
      if (s < this.threshold) continue;
      if (!found || s > found.s || (s === found.s && (e.createdAt < found.e.createdAt || (e.createdAt === found.e.createdAt && e.id < found.e.id)))) found = { e, s };
    }
    return found ? { familyId: found.e.id, similarity: found.s } : null;
  }
}
