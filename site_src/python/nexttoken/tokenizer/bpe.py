"""Byte-pair merging: reading merges.txt and applying the merges to one pre-token."""
import heapq


def parse_merges(merges_text: str) -> dict[str, int]:
    """Map each merge in a merges.txt to its rank (its line number, 0 for the first).

    Lower ranks were learned earlier and are applied first. A ``#version`` header is
    skipped. The key is the line itself, the pair joined by one space: byte-level symbols
    never contain a space (it is written 'Ġ'), so the key is unambiguous, and keeping the
    lines as they are makes parsing several times faster in Pyodide than splitting
    50,000 of them into tuples.

    >>> parse_merges("#version: 0.2\\nĠ t\\nĠ a\\nh e\\n")
    {'Ġ t': 0, 'Ġ a': 1, 'h e': 2}
    """
    lines = merges_text.splitlines()
    spaces = merges_text.count(" ")
    if lines and lines[0].startswith("#version"):
        spaces -= lines[0].count(" ")
        lines = lines[1:]
    while lines and not lines[-1]:
        lines.pop()
    # One space per line, checked on the whole text at once (a per-line check costs more
    # than building the dict in Pyodide); the lines are only scanned to name a bad one.
    if spaces != len(lines):
        number = next((n for n, line in enumerate(lines) if line.count(" ") != 1), 0)
        raise ValueError(f"merges line {number + 1} is {lines[number]!r:.60}, not two "
                         "symbols separated by one space: pass GPT-2's merges.txt (vocab.bpe)")
    return dict(zip(lines, range(len(lines))))


def bpe(symbols: str, ranks: dict[str, int]) -> list[str]:
    """Split ``symbols`` into single characters, then merge neighbours by rank until no pair
    of neighbours has a rank.

    The lowest-ranked pair is merged first and, between equal pairs, the leftmost one: the
    order of Hugging Face's BPE (``tokenizers``' ``Word::merge_all``). A heap keeps long
    pre-tokens (a pasted URL, a run of digits) at O(n log n) instead of O(n^2).

    >>> ranks = {"a b": 0, "ab c": 1, "c c": 2}
    >>> bpe("abcabccc", ranks)
    ['abc', 'abc', 'cc']
    >>> bpe("xyz", ranks)
    ['x', 'y', 'z']
    """
    parts: list = list(symbols)
    size = len(parts)
    nxt = list(range(1, size + 1))
    prev = list(range(-1, size - 1))
    rank_of = ranks.get
    heap = []
    for i in range(size - 1):
        rank = rank_of(parts[i] + " " + parts[i + 1])
        if rank is not None:
            heap.append((rank, i))
    heapq.heapify(heap)
    while heap:
        rank, i = heapq.heappop(heap)
        j = nxt[i]
        # An entry is stale once either side has been merged into something else. Each
        # rank names exactly one pair, so comparing ranks checks the pair now at i.
        if j >= size or parts[i] is None or rank_of(parts[i] + " " + parts[j]) != rank:
            continue
        parts[i] += parts[j]
        parts[j] = None
        after = nxt[i] = nxt[j]
        if after < size:
            prev[after] = i
            _push_pair(heap, rank_of, parts, i, after)
        if prev[i] >= 0:
            _push_pair(heap, rank_of, parts, prev[i], i)
    return [part for part in parts if part is not None]


def _push_pair(heap, rank_of, parts, left, right):
    rank = rank_of(parts[left] + " " + parts[right])
    if rank is not None:
        heapq.heappush(heap, (rank, left))
