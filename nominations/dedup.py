"""Group nominations that name the same civil servant.

Two nominations are taken to be the same person when

* the names match once titles, accents, case, punctuation and word order are
  ignored, allowing two typo edits in all (none in a two-letter word, one in a
  word of three or four letters: "Awa"/"Ava" match, "Ali"/"Alou" do not), a
  lost or shifted space, or a second given name left out when the workplace and
  post are given and agree ("Mamadou Traoré" for "Mamadou Lamine Traoré"), and
* the regions are equal once normalised, or one is blank, and
* the institutions are compatible: same kind of workplace once abbreviations are
  expanded ("C.S.Com" = "Centre de santé communautaire" = "CSCOM"), same
  locality allowing typos or one side naming it more fully, same commune,
  arrondissement or section; a blank institution or a missing part is a wildcard,
* and the posts are compatible: same post once gender, word order and workplace
  words are set aside ("Directrice de l'école" = "Directeur d'école"), or one is
  blank.

Two spellings that the country's lexicon lists as names ("Awa"/"Hawa", "Koné"/"Kané"),
or both frequent in the data without one dwarfing the other, are different
names, not a typo of each other.

Common names make namesakes frequent, so wildcards must not chain two people
together. Matches are merged in order of certainty, fewest wildcards first, and a
merge is refused when any two nominations on either side clash (another region,
workplace or post, names too far apart). A vague nomination that fits several
people who cannot be merged joins the best supported one only if that one holds
most of their nominations, a better than even bet; otherwise it stays apart.

For speed, nominations that normalise identically are handled once, and only
nominations sharing a name block are compared: a block is keyed by the name's
words, where a rare spelling also joins the blocks of the more frequent spellings
a typo away.
"""

from __future__ import annotations

import gc
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping
from itertools import combinations, permutations, product
from typing import Any

from rapidfuzz import process
from rapidfuzz.distance import OSA

from nominations.lexicon import Lexicon, lexicon
from nominations.normalise import (
    Institution,
    Position,
    fold,
    institution_key,
    institutions_compatible,
    name_tokens,
    position_key,
    positions_compatible,
    region_key,
    typo_cap,
)
from nominations.probable import Evidence, merge_groups

EDGE_BUDGET = 2  # typo edits between two nominations merged directly
DROPPED_NAME = EDGE_BUDGET + 1  # cost of a given name missing from one side
CLUSTER_SCALE = 2  # any two nominations of a group may be twice as far apart
_FAR = 99
_MAX_BLOCK_KEYS = 24
_MAX_NEIGHBOURS = 6
_ESTABLISHED = 4
_TYPO_SHARE = 8


class _Names:
    """Typo-tolerant name comparison informed by how often each spelling occurs.

    A spelling seen at least ``_ESTABLISHED`` times is established unless a spelling
    within typo distance is ``_TYPO_SHARE`` times as frequent: misspellings of a
    common name do recur in a large campaign, but only as a small share of it.
    Two established spellings are different names even when one letter apart, and
    so are two names the lexicon lists ("Awa" and "Hawa", "Koné" and "Kané") however
    rare they are in the data.
    """

    def __init__(self, frequency: Counter[str], known: frozenset[str]) -> None:
        self.frequency = frequency
        self.known = known
        self._tokens: dict[tuple[str, str], tuple[int, int]] = {}
        self._names: dict[tuple[tuple[str, ...], tuple[str, ...], int], int] = {}
        self._index: dict[str, list[str]] = defaultdict(list)
        self.established: set[str] = set()
        self.options = self._survey()

    def distinct(self, a: str, b: str) -> bool:
        if a in self.known and b in self.known:
            return True
        return a in self.established and b in self.established

    def _survey(self) -> dict[str, tuple[str, ...]]:
        """For each spelling, the spellings whose blocks it joins.

        A spelling joins its own block and those of the more frequent spellings
        within typo distance, closest first: a misspelling then meets the name it
        came from, while the blocks of established names stay small.
        """
        frequency = self.frequency
        vocabulary = sorted(frequency, key=lambda t: (-frequency[t], t))
        # Filled in frequency order, so a lookup only meets more frequent spellings.
        index = self._index
        options: dict[str, tuple[str, ...]] = {}
        for token in vocabulary:
            variants = _deletes(token, 1 if len(token) <= 4 else 2)
            near: set[str] = set()
            for variant in variants:
                near.update(index.get(variant, ()))
            found = process.extract(token, near, scorer=OSA.distance, score_cutoff=2, limit=None)
            size = len(token)
            close = [
                (d, -frequency[n], n)
                for n, d, _ in found
                if max(size, len(n)) >= (3 if d == 1 else 5)  # typo_cap, inlined
            ]
            own = frequency[token]
            if own >= _ESTABLISHED and all(
                -minus < own * _TYPO_SHARE or (token in self.known and n in self.known)
                for _, minus, n in close
            ):
                self.established.add(token)
            ranked = sorted(c for c in close if not self.distinct(token, c[2]))
            options[token] = (token, *(n for _, _, n in ranked[:_MAX_NEIGHBOURS]))
            for variant in variants:
                index[variant].append(token)
        return options

    def near(self, piece: str) -> list[str]:
        """Known spellings a typo away from a piece of a word, closest first."""
        found: set[str] = set()
        for variant in _deletes(piece, 1 if len(piece) <= 4 else 2):
            found.update(self._index.get(variant, ()))
        close = process.extract(piece, found, scorer=OSA.distance, score_cutoff=2, limit=None)
        return [
            n for n, d, _ in sorted(close, key=lambda c: (c[1], c[0])) if d <= typo_cap(piece, n)
        ]

    def token_cost(self, a: str, b: str) -> tuple[int, int]:
        """Typo edits between two words under the strict and the doubled cap, _FAR
        beyond the cap."""
        if a == b:
            return 0, 0
        key = (a, b) if a < b else (b, a)
        found = self._tokens.get(key)
        if found is None:
            cap = typo_cap(a, b)
            if cap == 0 or self.distinct(a, b):
                found = (_FAR, _FAR)
            else:
                d = OSA.distance(a, b, score_cutoff=cap * CLUSTER_SCALE)
                found = (d if d <= cap else _FAR, d if d <= cap * CLUSTER_SCALE else _FAR)
            self._tokens[key] = found
        return found

    def distance(self, a: tuple[str, ...], b: tuple[str, ...], scale: int = 1) -> int:
        """Total typo edits between two sorted token tuples, or _FAR."""
        if a == b:
            return 0 if a else _FAR
        if not a or not b:
            return _FAR
        key = (a, b, scale) if a < b else (b, a, scale)
        found = self._names.get(key)
        if found is None:
            found = self._distance(a, b, scale)
            self._names[key] = found
        return found

    def _distance(self, a: tuple[str, ...], b: tuple[str, ...], scale: int) -> int:
        if len(a) == len(b):
            found = self._assign(a, b, scale)
            if found < _FAR or len(a) > 3 or len(set(a) & set(b)) > len(a) - 2:
                return found
            # A space typed one letter off ("Roki aKeita") changes two words at
            # once: compare the names without spaces, in every word order,
            # counting the shift as one edit.
            budget = EDGE_BUDGET * scale - 1
            joined = {"".join(p) for p in permutations(b)}
            best = min(
                OSA.distance("".join(p), other, score_cutoff=budget)
                for p in permutations(a)
                for other in joined
            )
            return best + 1 if best <= budget else _FAR
        if abs(len(a) - len(b)) != 1:
            return _FAR
        # A lost or typed-over space: "AminataGoita", "Abdoulkarim".
        longer, shorter = (a, b) if len(a) > len(b) else (b, a)
        best = _FAR
        for i, j in permutations(range(len(longer)), 2):
            rest = [t for k, t in enumerate(longer) if k not in (i, j)]
            joined = tuple(sorted([*rest, longer[i] + longer[j]]))
            best = min(best, self._assign(joined, shorter, scale))
        if best < _FAR or len(shorter) < 2:
            return best
        # A second given name left out: "Mamadou Traoré" for "Mamadou Lamine
        # Traoré". Weaker than any typo, so only accepted exactly and, by the
        # caller, where the workplace and post leave no doubt.
        for i in range(len(longer)):
            rest = longer[:i] + longer[i + 1 :]
            cost = 0 if rest == shorter else self._assign(rest, shorter, scale)
            if cost == 0 or (scale > 1 and cost <= EDGE_BUDGET):
                best = min(best, DROPPED_NAME + cost)
        return best if best < _FAR else _FAR

    def _assign(self, a: tuple[str, ...], b: tuple[str, ...], scale: int) -> int:
        """Cheapest pairing of the words of two names, each pair within its typo cap."""
        k = 0 if scale == 1 else 1
        cost = self.token_cost
        n = len(a)
        if n == 1:
            best = cost(a[0], b[0])[k]
        elif n == 2:
            best = min(
                cost(a[0], b[0])[k] + cost(a[1], b[1])[k],
                cost(a[0], b[1])[k] + cost(a[1], b[0])[k],
            )
        else:
            costs = [[cost(x, y)[k] for y in b] for x in a]
            if n <= 5:
                best = min(sum(costs[i][p[i]] for i in range(n)) for p in permutations(range(n)))
            else:  # long names are rare; a greedy pairing is good enough
                best, used = 0, set()
                for row in costs:
                    j = min((j for j in range(n) if j not in used), key=row.__getitem__)
                    used.add(j)
                    best += row[j]
        return best if best <= EDGE_BUDGET * scale else _FAR


_NO_KINDS: frozenset[str] = frozenset()


def _by_kind(members: list[int], kinds: list[frozenset[str]]) -> tuple[list[int], dict]:
    wild, by = [], defaultdict(list)
    for m in members:
        if kinds[m]:
            for k in kinds[m]:
                by[k].append(m)
        else:
            wild.append(m)
    return wild, by


def _pairs_within(members: list[int], kinds: list[frozenset[str]], out: set) -> None:
    if len(members) < 8:
        out.update(combinations(members, 2))
        return
    wild, by = _by_kind(members, kinds)
    for group in by.values():
        out.update(combinations(group, 2))
    for w in wild:
        out.update((w, m) if w < m else (m, w) for m in members if m != w)


def _pairs_across(a: list[int], b: list[int], kinds: list[frozenset[str]], out: set) -> None:
    wild, by = _by_kind(b, kinds)
    for i in a:
        if not kinds[i]:
            others: Iterable[int] = b
        else:
            others = {*wild, *(j for k in kinds[i] for j in by.get(k, ()))}
        out.update((i, j) if i < j else (j, i) for j in others if j != i)


def _deletes(word: str, depth: int) -> set[str]:
    found, frontier = {word}, {word}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w))}
        found |= frontier
    return found


def _respellings(tokens: tuple[str, ...], names: _Names) -> list[tuple[str, ...]]:
    """Readings of a name with a lost space restored ("AminataGoita", even with a
    typo in one half) or a stray space removed, where the pieces or the glued
    word are spellings seen in other names."""
    frequency = names.frequency
    out = []
    for i, token in enumerate(tokens):
        if frequency[token] >= 3:
            continue
        rest = tokens[:i] + tokens[i + 1 :]
        if len(token) >= 6:
            for cut in range(2, len(token) - 1):
                # skip=1 covers a space typed over by a letter ("aminataxgoita").
                for skip in (0, 1):
                    left, right = token[:cut], token[cut + skip :]
                    if left in frequency and right in frequency:
                        out.append(tuple(sorted((*rest, left, right))))
                    elif len(tokens) == 1 and min(len(left), len(right)) >= 3:
                        # A whole name run together is rare: worth a closer look.
                        if left in frequency:
                            out.extend(tuple(sorted((left, r))) for r in names.near(right)[:2])
                        elif right in frequency:
                            out.extend(tuple(sorted((x, right))) for x in names.near(left)[:2])
        for j, other in enumerate(tokens):
            if j == i:
                continue
            others = [t for k, t in enumerate(tokens) if k not in (i, j)]
            for glued in (token + other, other + token):
                if glued in frequency:
                    out.append(tuple(sorted((*others, glued))))
    return out


class _Profile:
    """The nominations that normalise to exactly the same fields."""

    __slots__ = ("ids", "institution", "name", "position", "region", "towns")

    def __init__(
        self,
        name: tuple[str, ...],
        region: str,
        institution: Institution | None,
        position: Position | None,
    ) -> None:
        self.ids: list[Hashable] = []
        self.towns: set[str] = set()
        self.name = name
        self.region = region
        self.institution = institution
        self.position = position


class _Facets:
    """The distinct values a group of nominations gives for each field."""

    __slots__ = ("institutions", "names", "positions", "regions")

    def __init__(self, p: _Profile) -> None:
        self.names = {p.name}
        self.regions = {p.region} if p.region else set()
        self.institutions = {p.institution} if p.institution is not None else set()
        self.positions = {p.position} if p.position is not None else set()

    def absorb(self, other: _Facets) -> None:
        self.names |= other.names
        self.regions |= other.regions
        self.institutions |= other.institutions
        self.positions |= other.positions


def _sorted_ids(ids: Iterable[Hashable]) -> list[Hashable]:
    ids = list(ids)
    try:
        return sorted(ids)
    except TypeError:  # mixed id types: still deterministic
        return sorted(ids, key=lambda i: (type(i).__name__, str(i)))


def _id_order(ids: list[Hashable]) -> tuple[str, str]:
    first = _sorted_ids(ids)[0]
    return type(first).__name__, f"{first:>20}" if isinstance(first, int) else str(first)


class _Grouper:
    """Blocking, pairwise matching and merging over distinct profiles."""

    def __init__(self, profiles: list[_Profile], lex: Lexicon) -> None:
        self.profiles = profiles
        self.lex = lex
        frequency: Counter[str] = Counter()
        for p in profiles:
            for token in p.name:
                frequency[token] += len(p.ids)
        self.names = _Names(frequency, lex.distinct)
        self._institutions: dict[tuple[Institution, Institution], tuple[bool, bool]] = {}
        self._positions: dict[tuple[Position, Position], bool] = {}
        self._loose: dict[tuple[Any, Any], bool] = {}

    def institutions(self, a: Institution, b: Institution) -> tuple[bool, bool]:
        if a == b:
            return True, not (a.kinds and (a.place or a.numbers))
        found = self._institutions.get((a, b))
        if found is None:
            found = institutions_compatible(a, b)
            self._institutions[(a, b)] = self._institutions[(b, a)] = found
        return found

    def positions(self, a: Position, b: Position) -> bool:
        if a == b:
            return True
        found = self._positions.get((a, b))
        if found is None:
            found = positions_compatible(a, b)
            self._positions[(a, b)] = self._positions[(b, a)] = found
        return found

    def context(self, p: _Profile, q: _Profile) -> int | None:
        """Number of wildcards used to match region, institution and post, or None."""
        vague = 0
        if p.region != q.region:
            if p.region and q.region:
                return None
            vague += 1
        elif not p.region:
            vague += 1
        if p.institution is None or q.institution is None:
            vague += 1
        else:
            ok, partial = self.institutions(p.institution, q.institution)
            if not ok:
                return None
            vague += partial
        if p.position is None or q.position is None:
            vague += 1
        elif not self.positions(p.position, q.position):
            return None
        return vague

    def consistent(self, a: _Facets, b: _Facets) -> bool:
        """Whether two groups may be one person: every region, institution, post
        and name of one agrees with every one of the other, with doubled typo
        allowances since each may be misspelt in its own way."""
        if a.regions and b.regions and a.regions != b.regions:
            return False
        for x in a.institutions:
            for y in b.institutions:
                if x != y and not self._lenient(x, y, institutions_compatible):
                    return False
        for x in a.positions:
            for y in b.positions:
                if x != y and not self._lenient(x, y, positions_compatible):
                    return False
        distance = self.names.distance
        for x in a.names:
            for y in b.names:
                if x != y and distance(x, y, CLUSTER_SCALE) >= _FAR:
                    return False
        return True

    def _lenient(self, x: Any, y: Any, compatible: Callable[..., Any]) -> bool:
        found = self._loose.get((x, y))
        if found is None:
            result = compatible(x, y, lenient=True)
            found = result[0] if isinstance(result, tuple) else result
            self._loose[(x, y)] = self._loose[(y, x)] = found
        return found

    def candidate_pairs(self) -> set[tuple[int, int]]:
        """Pairs of profiles sharing a name block, in the same or a blank region."""
        spellings = self.names.options
        frequency = self.names.frequency
        blocks: dict[tuple[str, tuple[str, ...]], list[int]] = defaultdict(list)
        blank: dict[tuple[str, ...], list[int]] = defaultdict(list)
        regions: dict[tuple[str, ...], set[str]] = defaultdict(set)
        for index, p in enumerate(self.profiles):
            keys: set[tuple[str, ...]] = set()
            readings = [p.name]
            if any(frequency[t] < 3 for t in p.name):
                readings += _respellings(p.name, self.names)
            if len(p.name) >= 3:  # meets the same name without its second given name
                readings += [p.name[:i] + p.name[i + 1 :] for i in range(len(p.name))]
            for reading in readings:
                options = [spellings.get(t, (t,)) for t in reading]
                if all(len(o) == 1 for o in options):  # readings are sorted already
                    keys.add(reading)
                    continue
                for n, combo in enumerate(product(*options)):
                    if n == _MAX_BLOCK_KEYS:
                        break
                    keys.add(tuple(sorted(combo)))
            for key in keys:
                if p.region:
                    blocks[(p.region, key)].append(index)
                    regions[key].add(p.region)
                else:
                    blank[key].append(index)
        # Two workplaces of different kinds never match (see context): within a block, only
        # profiles sharing a kind, or without one, are paired.
        kinds = [
            p.institution.kinds if p.institution is not None else _NO_KINDS for p in self.profiles
        ]
        pairs: set[tuple[int, int]] = set()
        for members in blocks.values():
            if len(members) > 1:
                _pairs_within(members, kinds, pairs)
        for key, members in blank.items():
            _pairs_within(members, kinds, pairs)
            for region in regions.get(key, ()):
                _pairs_across(members, blocks[(region, key)], kinds, pairs)
        return pairs

    def edges(self) -> list[tuple[int, int, int, int]]:
        """(wildcards, name distance, i, j) for every pair that may be one person."""
        found = []
        for i, j in self.candidate_pairs():
            p, q = self.profiles[i], self.profiles[j]
            vague = self.context(p, q)
            if vague is None:
                continue
            distance = self.names.distance(p.name, q.name)
            if distance <= EDGE_BUDGET or (distance == DROPPED_NAME and vague == 0):
                found.append((vague, distance, i, j))
        return found

    def clusters(self) -> list[list[int]]:
        """Union-find over the edges, one tier of wildcards at a time."""
        n = len(self.profiles)
        parent = list(range(n))
        members = [[i] for i in range(n)]
        weight = [len(p.ids) for p in self.profiles]
        facets: list[_Facets | None] = [None] * n  # built when first needed

        def find(i: int) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        # Verdicts on two groups hold until one of them grows.
        verdicts: dict[tuple[int, int], bool] = {}
        grown: set[int] = set()

        def facet(a: int) -> _Facets:
            found = facets[a]
            if found is None:
                found = facets[a] = _Facets(self.profiles[a])
            return found

        def mergeable(a: int, b: int) -> bool:
            if a in grown or b in grown:
                return self.consistent(facet(a), facet(b))
            key = (a, b) if a < b else (b, a)
            found = verdicts.get(key)
            if found is None:
                found = verdicts[key] = self.consistent(facet(a), facet(b))
            return found

        def allowed(a: int, partners: set[int]) -> set[int]:
            """The partners a vague group may join this round.

            When its partners are rival people (they cannot be merged), it joins the
            best supported one only if that one holds most of their nominations, a
            better than even bet; otherwise it waits, so as not to guess.
            """
            ranked = sorted(partners, key=lambda r: (-weight[r], r))
            top = ranked[0]
            rivals = [r for r in ranked[1:] if not mergeable(top, r)]
            if not rivals:
                return partners
            if weight[top] * 2 > weight[top] + sum(weight[r] for r in rivals):
                return {r for r in partners if r not in rivals}
            return {r for r in partners if all(mergeable(r, o) for o in partners if o != r)}

        tiers: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
        for vague, distance, i, j in self.edges():
            tiers[vague].append((distance, i, j))
        for vague in sorted(tiers):
            verdicts.clear()
            grown.clear()
            edges = sorted(
                tiers[vague],
                key=lambda e: (e[0], -weight[find(e[1])] - weight[find(e[2])], e[1], e[2]),
            )
            start = {}
            options: dict[int, set[int]] | None = None
            if vague:
                partners: dict[int, set[int]] = defaultdict(set)
                for _, i, j in edges:
                    a, b = start[i], start[j] = find(i), find(j)
                    if a != b and mergeable(a, b):
                        partners[a].add(b)
                        partners[b].add(a)
                options = {a: allowed(a, ps) for a, ps in partners.items()}
            for _, i, j in edges:
                if options is not None:
                    a, b = start[i], start[j]
                    if b not in options.get(a, ()) or a not in options.get(b, ()):
                        continue
                a, b = find(i), find(j)
                if a == b or not mergeable(a, b):
                    continue
                if len(members[a]) < len(members[b]):
                    a, b = b, a
                parent[b] = a
                members[a].extend(members[b])
                weight[a] += weight[b]
                facet(a).absorb(facet(b))
                members[b] = []
                grown.add(a)
        return [m for i, m in enumerate(members) if m and parent[i] == i]


def _parse_all(values: Iterable[object], parse: Callable[[str], Any], **fold_options: bool) -> dict:
    """Parse each distinct value once; values equal once folded share the result."""
    by_folded: dict[str, Any] = {}
    out: dict[object, Any] = {}
    for value in set(values):
        text = fold(value, **fold_options)
        if text not in by_folded:
            by_folded[text] = parse(text)
        out[value] = by_folded[text]
    return out


def group_nominations(
    rows: Iterable[Mapping[str, object]],
    *,
    country: str = "",
    regions: Iterable[str] = (),
    distinct: Iterable[tuple[Hashable, Hashable]] = (),
) -> list[list[Hashable]]:
    """Partition nomination ids into one list per person.

    ``rows`` are mappings with ``id``, ``nominee_name``, ``position``,
    ``institution`` and ``region``; missing or None fields are blanks. Ids keep
    their type; each list is sorted and lists are ordered by their first id. A
    repeated id is counted once (its first row). A nomination without a usable
    name cannot be matched and stays alone.

    ``country`` (ISO 3166 alpha-2) chooses the lexicon of names, regions and abbreviations; the
    edition's ``regions`` are regions too. Without them the generic lexicon applies.
    ``distinct`` holds pairs of nomination ids a manager marked as two people.
    """
    return _analyse(rows, country, regions, distinct)[0]


def probable_matches(
    rows: Iterable[Mapping[str, object]],
    *,
    country: str = "",
    regions: Iterable[str] = (),
    distinct: Iterable[tuple[Hashable, Hashable]] = (),
) -> list[tuple[list[Hashable], list[Hashable], int]]:
    """Pairs of groups (as ``group_nominations`` returns them) that are probably one person but
    were not merged, with their evidence score, most probable first."""
    return _analyse(rows, country, regions, distinct)[1]


def _town(text: str, lex: Lexicon) -> frozenset[str]:
    """The words of a cercle or town given as the region ("Cercle de Kati"); none for a region
    or another name of one ("Nioro du Sahel")."""
    words = [w for w in text.split() if w not in lex.region_filler]
    key = " ".join(words)
    if key in lex.towns:
        return frozenset(words)
    if not key or key in lex.regions or key in lex.region_aliases:
        return frozenset()
    return frozenset(w for w in words if w not in lex.regions and w not in lex.region_aliases)


def _analyse(rows, country, regions, distinct):  # type: ignore[no-untyped-def]
    # Grouping builds millions of small tuples and sets and frees none of them in cycles: the
    # cyclic collector would only walk them again and again (a third of the time at 50,000 rows).
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _analyse_rows(rows, country, regions, distinct)
    finally:
        if enabled:
            gc.enable()


def _analyse_rows(rows, country, regions, distinct):  # type: ignore[no-untyped-def]
    unique: list[Mapping[str, object]] = []
    seen: set[Hashable] = set()
    for row in rows:
        if row.get("id") not in seen:
            seen.add(row.get("id"))
            unique.append(row)
    lex = lexicon(country, tuple(regions))
    fields = []
    for key, parse, options in (
        ("nominee_name", name_tokens, {"join_apostrophes": True}),
        ("region", region_key, {}),
        ("institution", institution_key, {}),
        ("position", position_key, {}),
    ):
        # Unhashable or odd values are compared as text.
        column = [
            v if v is None or isinstance(v, str) else str(v) for v in (r.get(key) for r in unique)
        ]
        parsed = _parse_all(column, lambda text, parse=parse: parse(text, lex), **options)
        fields.append([parsed[v] for v in column])
    # A region written as a cercle or a town ("Kati" for Koulikoro) also names a locality.
    towns = _parse_all(
        [r.get("region") if isinstance(r.get("region"), str) else None for r in unique],
        lambda text: _town(text, lex),
    )

    profiles: dict[tuple[object, ...], _Profile] = {}
    alone: list[list[Hashable]] = []
    for row, name, region, institution, position in zip(unique, *fields, strict=True):
        if not name:
            alone.append([row.get("id")])
            continue
        key = (name, region, institution, position)
        profile = profiles.get(key)
        if profile is None:
            profile = profiles[key] = _Profile(name, region, institution, position)
        profile.ids.append(row.get("id"))
        raw = row.get("region")
        words = region.split()
        profile.towns.update(
            t for t in towns[raw if isinstance(raw, str) else None] if t not in words
        )

    # Ordered by their ids, not by row order, so that ties break the same way
    # however the rows come.
    ordered = sorted(profiles.values(), key=lambda p: _id_order(p.ids))
    first = _Grouper(ordered, lex).clusters()
    evidence = []
    cluster_of: dict[Hashable, int] = {}
    for index, cluster in enumerate(first):
        e = Evidence()
        for k in cluster:
            p = ordered[k]
            e.add(p.name, p.region, p.institution, p.position, p.towns, lex, len(p.ids))
            for i in p.ids:
                cluster_of[i] = index
        evidence.append(e)
    apart = [
        (cluster_of[a], cluster_of[b])
        for a, b in distinct
        if a in cluster_of and b in cluster_of and cluster_of[a] != cluster_of[b]
    ]
    clusters, queue = merge_groups(evidence, apart, lex.distinct_keys)
    groups = alone + [
        _sorted_ids(i for c in cluster for k in first[c] for i in ordered[k].ids)
        for cluster in clusters
    ]
    head = {}
    for g in groups:
        for i in g:
            head[i] = g
    probable, shown = [], set()
    for score, i, j in queue:
        a = head[ordered[first[i][0]].ids[0]]
        b = head[ordered[first[j][0]].ids[0]]
        key = (a[0], b[0]) if _id_order(a) < _id_order(b) else (b[0], a[0])
        if a is not b and key not in shown:
            shown.add(key)
            probable.append((a, b, score) if _id_order(a) < _id_order(b) else (b, a, score))
    try:
        groups.sort(key=lambda g: g[0])
    except TypeError:
        groups.sort(key=lambda g: (type(g[0]).__name__, str(g[0])))
    return groups, probable
