"""The first pass's blocking: which pairs of profiles are compared at all.

Only profiles sharing a name block are compared: a block is keyed by the name's words in the
region (or in no region), where a rare spelling also joins the blocks of the more frequent
spellings a typo away, a name run together or split is read again, and a three-word name also
meets itself without a word. Within a block, workplaces of different kinds are never paired.

The second pass (``probable``) compares groups: ``evidence_pairs`` picks those whose names its
scoring does not reject outright.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from itertools import combinations, islice, product
from typing import TYPE_CHECKING

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA

from nominations.arrays import (
    pair_numbers,
    pairs_across,
    pairs_within,
    runs,
    spread,
    unique,
    unique_inverse,
)
from nominations.names import Names, respellings

if TYPE_CHECKING:  # tiers and probable call this module
    from nominations.probable import Evidence
    from nominations.tiers import Profile

_MAX_BLOCK_KEYS = 24
# Second pass: a whole name in a region, or a title and family name at a locality, shared by more
# groups than this says nothing and is skipped.
_MAX_BLOCK = 60
# Up to this many words, _word_pairs compares every pair of them rather than index deletions.
_DENSE_WORDS = 400


def post_classes(cores: Iterable[str]) -> dict[str, int]:
    """A class for each post: two posts ``positions_compatible`` accepts (cores equal or a typo
    apart, up to ``cap`` edits) are in one class, so posts of different classes never match.
    Typo-close cores share a deletion variant (a transposition is one deletion on each side)."""
    cores = sorted(set(cores))
    parent = list(range(len(cores)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    index: dict[str, list[int]] = defaultdict(list)
    for n, core in enumerate(cores):
        for variant in _deletions(core) if core else {core}:
            index[variant].append(n)
    for group in index.values():
        for x, y in combinations(group, 2):
            if find(x) == find(y):
                continue
            a, b = cores[x], cores[y]
            cap = 1 if max(len(a), len(b)) < 8 else 2
            if a and b and OSA.distance(a, b, score_cutoff=cap) <= cap:
                parent[find(x)] = find(y)
    return {core: find(n) for n, core in enumerate(cores)}


def _name_keys(name: tuple[str, ...], names: Names, common: frozenset[str]) -> set[tuple[str, ...]]:
    """The name blocks a name joins; ``common`` holds the words seen three times or more."""
    spellings = names.options
    keys: set[tuple[str, ...]] = set()
    readings = [name]
    if not common.issuperset(name):  # a word seen less than three times
        readings += respellings(name, names)
    if len(name) >= 3:  # meets the same name without its second given name
        readings += [name[:i] + name[i + 1 :] for i in range(len(name))]
    for reading in readings:
        options = [spellings.get(t, (t,)) for t in reading]
        if all(len(o) == 1 for o in options):  # readings are sorted already
            keys.add(reading)
            continue
        keys.update(tuple(sorted(c)) for c in islice(product(*options), _MAX_BLOCK_KEYS))
    return keys


def candidate_pairs(profiles: list[Profile], names: Names) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (lower, higher index) of profiles sharing a name block, in the same or a blank
    region, whose workplaces and posts may agree; each pair once.

    Profiles writing one name in one region share all their blocks: the blocks hold these
    units, paired and deduplicated as numpy arrays, and only then are the units' profiles
    paired.
    """
    # Many profiles write one name (a person's nominations differ in post or workplace wording):
    # its block keys are worked out once.
    key_ids: dict[tuple[str, ...], int] = {}
    name_ids: dict[tuple[str, ...], int] = {}
    unit_ids: dict[tuple[str, tuple[str, ...]], int] = {}
    flat: list[int] = []
    offsets = [0]
    region_ids: dict[str, int] = {"": 0}
    unit_name: list[int] = []
    unit_region: list[int] = []
    unit_of = np.empty(len(profiles), dtype=np.int64)
    common = frozenset(t for t, n in names.frequency.items() if n >= 3)
    for index, p in enumerate(profiles):
        unit = unit_ids.get((p.region, p.name))
        if unit is None:
            unit = unit_ids[(p.region, p.name)] = len(unit_ids)
            number = name_ids.get(p.name)
            if number is None:
                number = name_ids[p.name] = len(name_ids)
                for k in _name_keys(p.name, names, common):
                    found = key_ids.get(k)
                    if found is None:
                        found = key_ids[k] = len(key_ids)
                    flat.append(found)
                offsets.append(len(flat))
            unit_name.append(number)
            unit_region.append(region_ids.setdefault(p.region, len(region_ids)))
        unit_of[index] = unit
    bounds = np.asarray(offsets, dtype=np.int64)
    of_unit = np.asarray(unit_name, dtype=np.int64)
    counts = (bounds[1:] - bounds[:-1])[of_unit]
    member = np.repeat(np.arange(len(unit_ids), dtype=np.int64), counts)
    key = np.asarray(flat, dtype=np.int64)[np.repeat(bounds[:-1][of_unit], counts) + spread(counts)]
    region = np.asarray(unit_region, dtype=np.int64)[member]
    # Blocks by (region, key), blank region included; members stay in unit order.
    block = region * len(key_ids) + key
    order = np.argsort(block, kind="stable")
    within = pairs_within(block[order], member[order])
    # A blank region meets every region's block of its key.
    blank = region == 0
    placed = np.flatnonzero(~blank)
    placed = placed[np.argsort(key[placed], kind="stable")]
    across = pairs_across(key[blank], member[blank], key[placed], member[placed])
    width = max(len(unit_ids), 1)
    units = unique(np.concatenate([pair_numbers(x, y, width) for x, y in (within, across)]))
    # Two workplaces of different kinds never match (see context), nor posts of different
    # classes: a unit's profiles are told apart by kind and post class (facets), and only the
    # facets that fit are paired.
    kind_ids: dict[frozenset[str], int] = {frozenset(): 0}
    kinds = np.asarray(
        [
            kind_ids.setdefault(p.institution.kinds, len(kind_ids))
            if p.institution is not None
            else 0
            for p in profiles
        ],
        dtype=np.int64,
    )
    distinct_kinds = list(kind_ids)
    fits = np.array(
        [[not (x and y and x.isdisjoint(y)) for y in distinct_kinds] for x in distinct_kinds],
        dtype=bool,
    ).reshape(len(distinct_kinds), len(distinct_kinds))
    classes = post_classes(p.position.core for p in profiles if p.position is not None)
    posts = np.asarray(
        [classes[p.position.core] + 1 if p.position is not None else 0 for p in profiles],
        dtype=np.int64,
    )
    depth = len(classes) + 1
    facets, facet_of = unique_inverse((unit_of * len(kind_ids) + kinds) * depth + posts)
    facet_unit, facet_kind, facet_post = (
        facets // depth // len(kind_ids),
        facets // depth % len(kind_ids),
        facets % depth,
    )
    first, last = runs(facet_unit) if len(facets) else (facet_unit, facet_unit)
    size = last - first
    u, v = units // width, units % width
    total = size[u] * size[v]
    row, column = np.divmod(spread(total), np.repeat(size[v], total))
    within_unit = pairs_within(facet_unit, np.arange(len(facets)))
    fa = np.concatenate((np.repeat(first[u], total) + row, within_unit[0]))
    fb = np.concatenate((np.repeat(first[v], total) + column, within_unit[1]))
    pa, pb = facet_post[fa], facet_post[fb]
    keep = fits[facet_kind[fa], facet_kind[fb]] & ((pa == 0) | (pb == 0) | (pa == pb))
    fa, fb = fa[keep], fb[keep]
    # The profiles of each pair of facets, and those of one facet among themselves.
    by_facet = np.argsort(facet_of, kind="stable")
    start, end = runs(facet_of[by_facet]) if len(profiles) else (by_facet, by_facet)
    count = end - start
    total = count[fa] * count[fb]
    row, column = np.divmod(spread(total), np.repeat(count[fb], total))
    left = by_facet[np.repeat(start[fa], total) + row]
    right = by_facet[np.repeat(start[fb], total) + column]
    alike = pairs_within(facet_of[by_facet], by_facet)
    a, b = np.concatenate((left, alike[0])), np.concatenate((right, alike[1]))
    return np.minimum(a, b), np.maximum(a, b)


def _deletions(word: str) -> set[str]:
    """The word with up to two letters deleted (one below five letters): two words within the
    typo cap of ``_name_level`` share one of them."""
    found = _DELETIONS.get(word)
    if found is None:
        found = frontier = {word}
        for _ in range(2 if len(word) >= 5 else 1):
            frontier = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w))}
            found = found | frontier
        _DELETIONS[word] = found
    return found


_DELETIONS: dict[str, set[str]] = {}


def typo_apart(x: str, y: str) -> bool:
    """Two words a typo apart: one edit below seven letters, two from seven on. A two-letter
    word takes a typo only from a longer one ("Ua" for "Awa"): "Ba" and "Sy" are names."""
    cap = 1 if max(len(x), len(y)) < 7 else 2
    if min(len(x), len(y)) < 2 or max(len(x), len(y)) < 3:
        return False
    return OSA.distance(x, y, score_cutoff=cap) <= cap


def _near_words(x: str, y: str, known: frozenset[str]) -> bool:
    """Two words of otherwise equal names that ``_name_level`` may take for one name."""
    return not (x in known and y in known) and typo_apart(x, y)


def _word_pairs(words: list[str], known: frozenset[str]) -> list[tuple[str, str]]:
    if len(words) <= 8:
        return [(x, y) for x, y in combinations(words, 2) if _near_words(x, y, known)]
    if len(words) <= _DENSE_WORDS:
        # Every pair at once in rapidfuzz's C loop costs less than a deletion index built in
        # Python; the few within two edits (the widest typo cap) are then judged one by one.
        distance = process.cdist(words, words, scorer=OSA.distance, score_cutoff=2, dtype=np.int8)
        near = np.triu(distance <= 2, 1)
        return [
            (words[x], words[y])
            for x, y in zip(*(a.tolist() for a in np.nonzero(near)), strict=True)
            if _near_words(words[x], words[y], known)
        ]
    index: dict[str, list[str]] = defaultdict(list)
    for word in words:
        for d in _deletions(word):
            index[d].append(word)
    near: set[tuple[str, str]] = set()
    for group in index.values():
        if len(group) > 1:
            near.update((x, y) if x < y else (y, x) for x, y in combinations(group, 2))
    return [(x, y) for x, y in near if _near_words(x, y, known)]


def evidence_pairs(
    evidence: list[Evidence], known: frozenset[str] = frozenset()
) -> set[tuple[int, int]]:
    """Pairs of groups that may score: the same whole name in a region, or, at a shared locality
    word, names that ``_name_level`` does not reject (all words equal but one, that one left out
    or a typo apart), or a title and family name and a name holding that word.

    Names are keyed at each locality word by their words less one, and within a key only names
    whose remaining word is the same, a typo apart or absent are paired: a common family name at
    a big town stays cheap however many people bear it.
    """
    blocks: dict[tuple[str, ...], list[int]] = defaultdict(list)
    # (locality word, name less one word) -> that word (or "" for none) -> groups.
    rests: dict[tuple[str, int], list[tuple[str, int]]] = defaultdict(list)
    # A name's readings: ("", its words), and each word with the name less that word; the
    # names less a word by number (a tuple's hash is worked out at every lookup, an int's not).
    readings_of: dict[tuple[str, ...], list[tuple[str, int]]] = {}
    rest_ids: dict[tuple[str, ...], int] = {}
    # (token, locality word) -> the groups with that word alone as a name, and those holding it.
    shorts: dict[tuple[str, str], list[int]] = defaultdict(list)
    longs: dict[tuple[str, str], list[int]] = defaultdict(list)
    for index, e in enumerate(evidence):
        keys: set[tuple[str, ...]] = set()
        short: set[tuple[str, str]] = set()
        long_: set[tuple[str, str]] = set()
        words = {word for places in (e.places, e.towns) for place in places for word in place}
        for name in e.names:
            for region in e.regions or {""}:
                keys.add(("=", region, *name))
            if not words:
                continue
            if len(name) == 1:
                short.update((name[0], w) for w in words)
                continue
            long_.update((t, w) for t in name for w in words)
            readings = readings_of.get(name)
            if readings is None:
                words_ = tuple(sorted(set(name)))  # "Usman Usman" is compared as a set of words
                readings = readings_of[name] = [
                    (word, rest_ids.setdefault(rest, len(rest_ids)))
                    for word, rest in (
                        ("", words_),
                        *((words_[i], words_[:i] + words_[i + 1 :]) for i in range(len(words_))),
                    )
                ]
            for w in words:
                for word, rest in readings:
                    rests[(w, rest)].append((word, index))
        for key in keys:
            blocks[key].append(index)
        for key in short:
            shorts[key].append(index)
        for key in long_:
            longs[key].append(index)
    pairs: set[tuple[int, int]] = set()
    near_of: dict[frozenset[str], list[tuple[str, str]]] = {}
    for members in blocks.values():
        if 1 < len(members) <= _MAX_BLOCK:
            pairs.update(combinations(members, 2))
    for entries in rests.values():
        if len(entries) < 2:
            continue
        buckets: dict[str, set[int]] = defaultdict(set)
        for word, index in entries:
            buckets[word].add(index)
        for group in buckets.values():
            pairs.update(combinations(sorted(group), 2))
        if len(buckets) == 1:
            continue
        wild = buckets.get("", ())
        others = [w for w in buckets if w]
        for i in wild:
            for w in others:
                pairs.update((i, j) if i < j else (j, i) for j in buckets[w] if j != i)
        # The same words meet again at each of a name's locality words: paired once.
        words = frozenset(others)
        near = near_of.get(words)
        if near is None:
            near = near_of[words] = _word_pairs(others, known)
        for x, y in near:
            pairs.update(
                (i, j) if i < j else (j, i) for i in buckets[x] for j in buckets[y] if i != j
            )
    for key, few in shorts.items():
        many = longs.get(key, ())
        if len(few) + len(many) > _MAX_BLOCK:
            continue
        pairs.update(combinations(few, 2))
        pairs.update((i, j) if i < j else (j, i) for i in few for j in many if i != j)
    return pairs
