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
from itertools import combinations, product
from typing import TYPE_CHECKING

from rapidfuzz.distance import OSA

from nominations.names import Names, respellings

if TYPE_CHECKING:  # tiers and probable call this module
    from nominations.probable import Evidence
    from nominations.tiers import Profile

_MAX_BLOCK_KEYS = 24
# Second pass: a whole name in a region, or a title and family name at a locality, shared by more
# groups than this says nothing and is skipped.
_MAX_BLOCK = 60


def _facet_buckets(members: list[int], kinds: list[frozenset[str]], posts: list[int]) -> tuple:
    """Members known in both facets, by (kind, post class); the others, with a wildcard."""
    full: dict[tuple[str, int], list[int]] = defaultdict(list)
    wild = []
    for m in members:
        post = posts[m]
        if kinds[m] and post >= 0:
            for k in kinds[m]:
                full[(k, post)].append(m)
        else:
            wild.append(m)
    return full, wild


def _fits(m: int, o: int, kinds: list[frozenset[str]], posts: list[int]) -> bool:
    """Whether two profiles may share a kind of workplace and a post (blank fits anything)."""
    km, ko = kinds[m], kinds[o]
    if km and ko and km.isdisjoint(ko):
        return False
    pm, po = posts[m], posts[o]
    return pm < 0 or po < 0 or pm == po


def pairs_within(
    members: list[int], kinds: list[frozenset[str]], posts: list[int], out: set
) -> None:
    """Pairs of a block that may share a kind of workplace and a post."""
    if len(members) == 2:
        out.add((members[0], members[1]))
        return
    full, wild = _facet_buckets(members, kinds, posts)
    for group in full.values():
        out.update(combinations(group, 2))
    for w in wild:
        out.update(
            (w, m) if w < m else (m, w) for m in members if m != w and _fits(w, m, kinds, posts)
        )


def pairs_across(
    a: list[int], b: list[int], kinds: list[frozenset[str]], posts: list[int], out: set
) -> None:
    full, wild = _facet_buckets(b, kinds, posts)
    for i in a:
        if not kinds[i] or posts[i] < 0:
            others: Iterable[int] = [j for j in b if _fits(i, j, kinds, posts)]
        else:
            post = posts[i]
            others = {
                *(j for j in wild if _fits(i, j, kinds, posts)),
                *(j for k in kinds[i] for j in full.get((k, post), ())),
            }
        out.update((i, j) if i < j else (j, i) for j in others if j != i)


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


def _name_keys(name: tuple[str, ...], names: Names) -> set[tuple[str, ...]]:
    """The name blocks a name joins."""
    spellings = names.options
    keys: set[tuple[str, ...]] = set()
    readings = [name]
    if any(names.frequency[t] < 3 for t in name):
        readings += respellings(name, names)
    if len(name) >= 3:  # meets the same name without its second given name
        readings += [name[:i] + name[i + 1 :] for i in range(len(name))]
    for reading in readings:
        options = [spellings.get(t, (t,)) for t in reading]
        if all(len(o) == 1 for o in options):  # readings are sorted already
            keys.add(reading)
            continue
        for n, combo in enumerate(product(*options)):
            if n == _MAX_BLOCK_KEYS:
                break
            keys.add(tuple(sorted(combo)))
    return keys


def candidate_pairs(profiles: list[Profile], names: Names) -> set[tuple[int, int]]:
    """Pairs of profiles sharing a name block, in the same or a blank region."""
    blocks: dict[tuple[str, tuple[str, ...]], list[int]] = defaultdict(list)
    blank: dict[tuple[str, ...], list[int]] = defaultdict(list)
    regions: dict[tuple[str, ...], set[str]] = defaultdict(set)
    # Many profiles write one name (a person's nominations differ in post or workplace wording):
    # its block keys are worked out once.
    keys_of: dict[tuple[str, ...], set[tuple[str, ...]]] = {}
    for index, p in enumerate(profiles):
        keys = keys_of.get(p.name)
        if keys is None:
            keys = keys_of[p.name] = _name_keys(p.name, names)
        if p.region:
            for key in keys:
                blocks[(p.region, key)].append(index)
                regions[key].add(p.region)
        else:
            for key in keys:
                blank[key].append(index)
    # Two workplaces of different kinds never match (see context): within a block, only
    # profiles sharing a kind, or without one, are paired.
    # Posts of different classes never match either.
    kinds = [p.institution.kinds if p.institution is not None else frozenset() for p in profiles]
    classes = post_classes(p.position.core for p in profiles if p.position is not None)
    posts = [classes[p.position.core] if p.position is not None else -1 for p in profiles]
    pairs: set[tuple[int, int]] = set()
    for members in blocks.values():
        if len(members) > 1:
            pairs_within(members, kinds, posts, pairs)
    for key, members in blank.items():
        if len(members) > 1:
            pairs_within(members, kinds, posts, pairs)
        for region in regions.get(key, ()):
            pairs_across(members, blocks[(region, key)], kinds, posts, pairs)
    return pairs


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
    rests: dict[tuple[str, tuple[str, ...]], list[tuple[str, int]]] = defaultdict(list)
    # A name's readings: ("", its words), and each word with the name less that word.
    readings_of: dict[tuple[str, ...], list[tuple[str, tuple[str, ...]]]] = {}
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
                unique = tuple(sorted(set(name)))  # "Usman Usman" is compared as a set of words
                readings = readings_of[name] = [
                    ("", unique),
                    *((unique[i], unique[:i] + unique[i + 1 :]) for i in range(len(unique))),
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
