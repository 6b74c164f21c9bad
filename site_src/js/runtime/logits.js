// One model step's logits as Python's quick path reads them (nexttoken/sampling/fast/head.py,
// which holds the reference in Python, ListLogits): the head in the full path's order and
// softmax sums, each one loop here, so that drawing a token never copies 50,257 floats into
// Python nor loops over them there. Python converts the whole array only when it needs all of
// it (a redraw's sorted vocabulary): values().

/** Whether (a, i) comes before (b, j) in the full path's order: logit descending, ties by id descending. */
const before = (a, i, b, j) => a > b || (a === b && i > j);

export class Logits {
  /** @param {Float32Array} values the logits for the next token, one per vocabulary id */
  constructor(values) {
    this.array = values;
    this.length = values.length;
  }

  values() {
    return this.array;
  }

  at(id) {
    return this.array[id];
  }

  /** Whether every logit is finite (no NaN, no +-Infinity: the full path raises or masks those). */
  finite() {
    const v = this.array;
    for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i])) return false;
    return true;
  }

  /** The first `count` ids in the full path's order and their logits: a min-heap of `count`
   *  over one pass (most logits lose one comparison with its root), then a sort of the heap. */
  top(count) {
    const v = this.array;
    const size = Math.max(0, Math.min(count, v.length));
    const heap = new Int32Array(size);  // ids; the root is the last of the head so far
    const sift = (at) => {
      for (;;) {
        const l = 2 * at + 1, r = l + 1;
        let last = at;
        if (l < size && before(v[heap[last]], heap[last], v[heap[l]], heap[l])) last = l;
        if (r < size && before(v[heap[last]], heap[last], v[heap[r]], heap[r])) last = r;
        if (last === at) return;
        [heap[at], heap[last]] = [heap[last], heap[at]];
        at = last;
      }
    };
    for (let i = 0; i < size; i++) heap[i] = i;
    for (let at = (size >> 1) - 1; at >= 0; at--) sift(at);
    for (let i = size; i < v.length; i++) {
      if (size && before(v[i], i, v[heap[0]], heap[0])) {
        heap[0] = i;
        sift(0);
      }
    }
    const ids = Array.from(heap).sort((i, j) => (before(v[i], i, v[j], j) ? -1 : 1));
    return { ids: Int32Array.from(ids), values: Float32Array.from(ids, (i) => v[i]) };
  }

  /** The sum of exp((v - ref) / temperature) over every logit, compensated (Neumaier): within
   *  a few units in the last place of the exact sum, as Python's math.fsum is exact. */
  mass(ref, temperature) {
    const v = this.array;
    let sum = 0, carry = 0;
    for (let i = 0; i < v.length; i++) {
      const x = Math.exp((v[i] - ref) / temperature);
      const t = sum + x;
      carry += Math.abs(sum) >= x ? (sum - t) + x : (x - t) + sum;
      sum = t;
    }
    return sum + carry;
  }
}
