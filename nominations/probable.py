"""Evidence between groups: the second pass of grouping, and the probable-match queue.

The first pass (``dedup``) merges nominations whose names are a typo apart and whose workplace, post
and region agree. Nominators also write one person in ways no typo explains: another orthography
("Tarawelé" for "Traoré", "Jara" for "Diarra"), a diminutive ("Madou" for "Mamadou"), only a title
and the family name ("Mme Diarra"), the post and workplace in their own words. This pass compares
the first pass's groups on sound-alike name keys (the lexicon's variants, else ``phonetic``) and
weighs the evidence, as record-linkage tools do (Fellegi-Sunter style agreement levels, summed):

    name       same key words 4, one word off or one left out 2, title and family name only 2
    workplace  same locality and a compatible kind of workplace 3, unknown 0, other: never
    post       same post (or a typo apart) 2, unknown 0, two ranks of one service ("Agent" and
               "Officier d'état civil") 0, sharing a word -1, another post or sector -2
    region     same 1, unknown 0, other: never
    sex        the titles', or learnt from them for a given name ("Moussa"): other: never

Names sharing a word but differing in another ("Awa Diarra", "Djénéba Diarra") are relatives, not
variants: never merged. Groups scoring ``MERGE`` or more are merged, the most certain first, unless
two of the merged names, places or regions would clash; a title-and-family-name group that fits
several people joins none, unless one of them fits it clearly better. The same whole name one
field short of a merge (no workplace, region or post on one side) joins the one person it fits.
Pairs scoring ``PROBABLE`` or more but not merged are the managers'
"possibly the same person" queue, ranked by score.

Only the pairs ``blocking.evidence_pairs`` picks are compared: the same whole name in a region,
or names a word apart at a shared locality.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

from rapidfuzz.distance import OSA

from nominations.blocking import evidence_pairs, typo_apart
from nominations.lexicon import Lexicon, phonetic

MERGE = 8
# A title and a family name alone, at the workplace and in the region of exactly one person.
SHORT_MERGE = 6
PROBABLE = 4
# A title and a family name that fits several people joins the best by this much more evidence.
_SHORT_LEAD = 2
# Two ranks of one service ("Agent", "Officier") are taken for loose wording up to this many
# nominations on one side.
_LOOSE_RANK = 2
_NEVER = -100
_CLASH = "clash"


class Evidence:
    """What a group of nominations says about its person, in comparable keys."""

    __slots__ = (
        "cores",
        "contexts",
        "domains",
        "genders",
        "kinds",
        "names",
        "numbers",
        "places",
        "ranks",
        "regions",
        "sectors",
        "size",
        "towns",
    )

    def __init__(self) -> None:
        self.names: dict[tuple[str, ...], int] = {}  # name key -> nominations writing it
        self.regions: set[str] = set()
        # Each workplace's locality words; each town given as the region.
        self.places: set[frozenset[str]] = set()
        self.towns: set[frozenset[str]] = set()
        self.kinds: set[str] = set()
        self.numbers: set[str] = set()
        self.domains: set[str] = set()
        self.cores: set[str] = set()
        self.contexts: set[str] = set()
        self.sectors: set[str] = set()  # the workplaces' sectors alone
        self.ranks: set[str] = set()  # the cores that are a rank only ("agent", "officier")
        self.genders: set[str] = set()
        self.size = 0

    def add(
        self,
        name,
        region,
        institution,
        position,
        towns,
        lex: Lexicon,
        count: int,
        genders=(),
        memo: dict | None = None,
    ) -> None:  # type: ignore[no-untyped-def]
        """``memo`` (one per lexicon) keeps the keys of names and workplaces seen before."""
        self.size += count
        self.genders.update(genders)
        if name:
            key = memo.get(name) if memo is not None else None
            if key is None:
                # "Hadja Diarra" is kept as a name by the first pass; here it is a title.
                words = [t for t in name if t not in lex.hadj] or name
                key = tuple(sorted(lex.canon(t) for t in words))
                if memo is not None:
                    memo[name] = key
            self.names[key] = self.names.get(key, 0) + count
        if region:
            self.regions.add(region)
        if towns:  # most nominations give a region, not a town
            town = frozenset(phonetic(t) for t in towns if len(t) >= 3)
            if town:
                self.towns.add(town)
        if institution is not None:
            place = memo.get(institution) if memo is not None else None
            if place is None:
                place = frozenset(phonetic(w) for w in institution.place if len(w) >= 3)
                if memo is not None:
                    memo[institution] = place
            if place:
                self.places.add(place)
            self.kinds.update(institution.kinds)
            self.numbers.update(institution.numbers)
            self.domains.update(institution.domain)
            for kind in institution.kinds:
                sector = lex.position_context.get(kind)
                if sector:
                    self.contexts.add(sector)
                    self.sectors.add(sector)
        if position is not None:
            if position.core:
                self.cores.add(position.core)
                if position.core in lex.ranks:
                    self.ranks.add(position.core)
            self.contexts.update(position.context)

    def absorb(self, other: Evidence) -> None:
        for key, count in other.names.items():
            self.names[key] = self.names.get(key, 0) + count
        for slot in (
            "names",
            "regions",
            "places",
            "towns",
            "kinds",
            "numbers",
            "domains",
            "cores",
            "contexts",
            "sectors",
            "ranks",
            "genders",
        ):
            getattr(self, slot).update(getattr(other, slot))
        self.size += other.size


def _name_level(a: tuple[str, ...], b: tuple[str, ...], known: frozenset[str]) -> int | str:
    if a == b:
        return 4 if len(a) >= 2 else 2
    if len(a) == 1 or len(b) == 1:
        short, long_ = (a, b) if len(a) == 1 else (b, a)
        return 2 if short[0] in long_ else 0
    sa, sb = set(a), set(b)
    shared = sa & sb
    if not shared:
        return 0
    if len(sa) < len(a) or len(sb) < len(b):
        # A repeated word counts twice: "Garba Garba" is not "Garba Bello" with a name left out.
        ra, rb = _unmatched(a, b), _unmatched(b, a)
    else:
        ra, rb = sa - sb, sb - sa
    if not ra or not rb:  # a given name left out: "Mamadou Traoré" for "Mamadou Lamine Traoré"
        return 2 if len(ra) + len(rb) == 1 else _CLASH
    if len(ra) == 1 and len(rb) == 1:
        x, y = next(iter(ra)), next(iter(rb))
        if x in known and y in known:  # "Amadou" and "Mamadou" are two names
            return _CLASH
        if typo_apart(x, y):
            return 2
    return _CLASH


def _unmatched(a: tuple[str, ...], b: tuple[str, ...]) -> list[str]:
    """The words of ``a`` left once each word of ``b`` has taken one equal word."""
    return list((Counter(a) - Counter(b)).elements())


def name_level(
    a: Evidence, b: Evidence, known: frozenset[str] = frozenset(), strict: bool = True
) -> int | str:
    """The best agreement between a name of one and a name of the other; _CLASH when nothing
    better agrees than two relatives' names, or (``strict``) when two names each written more
    than once are relatives' ("Awa Diarra", "Djénéba Diarra"): a misspelling seen once is not."""
    best: int | str = 0
    clash = False
    for x, nx in a.names.items():
        for y, ny in b.names.items():
            level = _name_level(x, y, known)
            if level == _CLASH:
                if strict and nx > 1 and ny > 1:
                    return _CLASH
                clash = True
            else:
                best = max(best, level)  # type: ignore[type-var]
    # A group's misspelt names ("bDado Bah") may clash where its other names agree.
    return _CLASH if clash and best < 2 else best


def _places_meet(a: set[frozenset[str]], b: set[frozenset[str]]) -> bool:
    """Whether a locality of one is a locality of the other: the same words, one naming it more
    fully ("Kalaban" and "Kalaban Coura"), or a typo apart."""
    for x in a:
        for y in b:
            if x <= y or y <= x:
                return True
            sx, sy = " ".join(sorted(x)), " ".join(sorted(y))
            if min(len(sx), len(sy)) >= 5 and OSA.distance(sx, sy, score_cutoff=1) <= 1:
                return True
    return False


def _localities(a: Evidence, b: Evidence) -> tuple[set[frozenset[str]], set[frozenset[str]]]:
    """The workplaces' localities when both groups name a workplace; otherwise the towns given as
    the region too. A town written as the region ("Abuja" for the FCT) may be the person's town
    or only the region's best-known one: two workplaces elsewhere in it are two places."""
    if a.places and b.places:
        return a.places, b.places
    return a.places | a.towns, b.places | b.towns


def _posts_close(a: set[str], b: set[str]) -> bool:
    """One post a typo apart ("Secrétaire générale", "Secrétaire général")."""
    for x in a:
        for y in b:
            cap = 1 if max(len(x), len(y)) < 8 else 2
            if OSA.distance(x, y, score_cutoff=cap) <= cap:
                return True
    return False


def _post_level(a: Evidence, b: Evidence) -> int:
    """Post evidence between two groups that both give a post."""
    if a.contexts and b.contexts and not (a.contexts & b.contexts):
        return -2  # "Agent de santé", "Agent de police"
    if a.cores & b.cores or _posts_close(a.cores, b.cores):
        return 2
    if {w for c in a.cores for w in c.split()} & {w for c in b.cores for w in c.split()}:
        return -1  # "Médecin chef" and "Médecin": the same post, or the chief and a colleague
    if (
        min(a.size, b.size) <= _LOOSE_RANK
        and a.cores <= a.ranks
        and b.cores <= b.ranks
        and a.contexts & b.contexts
    ):
        # "Agent d'état civil", "Officier d'état civil": loose wording in a nomination or two,
        # but two groups each writing their own rank again and again are two people.
        return 0
    return -2


def context_score(a: Evidence, b: Evidence) -> int:
    """Workplace, post and region evidence; _NEVER when they prove two people."""
    if a.regions and b.regions and not (a.regions & b.regions):
        return _NEVER
    if len(a.genders) == 1 and len(b.genders) == 1 and a.genders != b.genders:
        return _NEVER  # "M. Diarra" and "Mme Diarra"
    score = 1 if a.regions and b.regions else 0
    for x, y in ((a.numbers, b.numbers), (a.domains, b.domains)):
        if x and y and not (x & y):
            return _NEVER
    if a.kinds and b.kinds and not (a.kinds & b.kinds) and not (a.contexts & b.contexts):
        return _NEVER
    places_a, places_b = _localities(a, b)
    if places_a and places_b:
        if not _places_meet(places_a, places_b):
            return _NEVER
        score += 3
    elif a.numbers and b.numbers and a.kinds & b.kinds:
        score += 3  # "Commissariat du 1er arrondissement": the number names the workplace
    if a.cores and b.cores:
        score += _post_level(a, b)
    return score


def _wanting(a: Evidence, b: Evidence, known: frozenset[str]) -> bool:
    """The same whole name where one side leaves out its workplace, region or post and nothing
    disagrees: one field short of a merge (a CSCOM and a CSRef of one town disagree)."""
    if a.kinds and b.kinds and not (a.kinds & b.kinds):
        return False
    places_a, places_b = _localities(a, b)
    if not (places_a and places_b and a.regions and b.regions):
        agree = not (a.cores and b.cores) or a.cores & b.cores or _posts_close(a.cores, b.cores)
        return bool(agree) and name_level(a, b, known) == 4
    return not (a.cores and b.cores) and name_level(a, b, known) == 4


def pair_score(a: Evidence, b: Evidence, known: frozenset[str] = frozenset()) -> int:
    level = name_level(a, b, known, strict=False)
    if level == _CLASH or level == 0:
        return _NEVER
    return int(level) + context_score(a, b)


def _consistent(a: Evidence, b: Evidence, known: frozenset[str]) -> bool:
    """Whether two merged groups could still be one person: no clashing names, regions, places.
    A title and a family name agree with every name of the family, so the full names must agree
    on their own: "Mme Diarra" must not bridge Awa Diarra and Djénéba Diarra."""
    if name_level(a, b, known) == _CLASH:
        return False
    full_a = [n for n in a.names if len(n) > 1]
    full_b = [n for n in b.names if len(n) > 1]
    levels = {_name_level(x, y, known) for x in full_a for y in full_b}
    if _CLASH in levels and not any(level != _CLASH and level >= 2 for level in levels):  # type: ignore[operator]
        return False
    if a.regions and b.regions and not (a.regions & b.regions):
        return False
    if len(a.genders) == 1 and len(b.genders) == 1 and a.genders != b.genders:
        return False
    # Nor two workplaces or posts: a nomination without them must not bridge the commissioner
    # and the officer of one name at one commissariat. Two kinds of workplace agree by their own
    # sectors: a post's words ("État civil" without a workplace) must not bridge a school and a
    # town hall.
    if a.kinds and b.kinds and not (a.kinds & b.kinds) and not (a.sectors & b.sectors):
        return False
    places_a, places_b = _localities(a, b)
    return not (places_a and places_b and not _places_meet(places_a, places_b))


def scored_pairs(evidence: list[Evidence], known: frozenset[str]) -> list[tuple[int, int, int]]:
    """(score, i, j) for every compared pair at PROBABLE or more, best first."""
    found = []
    for i, j in evidence_pairs(evidence, known):
        # pair_score, the context first: it proves two people for most of these pairs (five in
        # six at 100,000 rows, whose names evidence_pairs already found close), and then the
        # names need no comparing.
        a, b = evidence[i], evidence[j]
        context = context_score(a, b)
        if context == _NEVER:
            continue
        level = name_level(a, b, known, strict=False)
        if level == _CLASH or level == 0:
            continue
        score = int(level) + context
        if score >= PROBABLE:
            found.append((score, i, j))
    found.sort(key=lambda t: (-t[0], t[1], t[2]))
    return found


# A given name says a person's sex once the data's titles do: seen this often, always one way.
_GENDER_SEEN = 3
_GENDER_SHARE = 0.9


def infer_genders(evidence: list[Evidence]) -> None:
    """Give a sex to the groups whose titles say none, from their name words.

    Learnt from the data, not from a list: a word written with "M." or "Monsieur" and never with
    "Mme" is a man's given name ("Moussa"); a family name is written with both. A group is given a
    sex when some of its words say one and none says the other, so that "Mme Diarra" stays apart
    from Moussa Diarra at her school.
    """
    seen: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for e in evidence:
        if len(e.genders) == 1:
            side = 0 if "m" in e.genders else 1
            for word in {w for name in e.names for w in name}:
                seen[word][side] += e.size
    sex = {}
    for word, (m, f) in seen.items():
        if m + f >= _GENDER_SEEN and max(m, f) >= _GENDER_SHARE * (m + f):
            sex[word] = "m" if m > f else "f"
    for e in evidence:
        if e.genders:
            continue
        said = {sex[w] for name in e.names if len(name) > 1 for w in name if w in sex}
        if len(said) == 1:
            e.genders.update(said)


def merge_groups(
    evidence: list[Evidence],
    distinct: Iterable[tuple[int, int]] = (),
    known: frozenset[str] = frozenset(),
) -> tuple[list[list[int]], list[tuple[int, int, int]]]:
    """Clusters of group indices, and the probable pairs (score, i, j) left for a manager.

    ``distinct`` holds pairs of groups a manager marked as two people: never merged, never queued.
    ``known`` holds the name keys of the lexicon's names: two of them are never a typo apart.
    """
    infer_genders(evidence)
    n = len(evidence)
    parent = list(range(n))
    # Each root's evidence so far: a group's own until it first absorbs another (copied then).
    merged = list(evidence)
    # Groups a manager said are two people, per current root: never in one cluster.
    forbid: dict[int, set[int]] = defaultdict(set)
    for i, j in distinct:
        forbid[i].add(j)
        forbid[j].add(i)

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    pairs = [p for p in scored_pairs(evidence, known) if p[2] not in forbid.get(p[1], ())]
    # A title and a family name only ("Mme Diarra") is decided once the fuller names have merged:
    # it joins the one person it fits, or none.
    partial: dict[int, dict[int, int]] = defaultdict(dict)
    queue = []
    for score, i, j in pairs:
        if score >= SHORT_MERGE and _short(evidence[i]):
            partial[i][j] = score
        elif score >= SHORT_MERGE and _short(evidence[j]):
            partial[j][i] = score
        elif score < MERGE:
            queue.append((score, i, j))
        else:
            _union(find, parent, evidence, merged, forbid, i, j, queue, score, known)
    # A whole name one field short of a merge joins the one person it fits, when that person
    # fits no other group that way either.
    loose: dict[int, set[int]] = defaultdict(set)
    for score, i, j in queue:
        if score == MERGE - 1 and _wanting(evidence[i], evidence[j], known):
            loose[i].add(j)
            loose[j].add(i)
    for i, partners in sorted(loose.items()):
        for j in sorted(partners):
            alone = len({find(p) for p in partners}) == 1 == len({find(p) for p in loose[j]})
            if i < j and alone:
                _union(find, parent, evidence, merged, forbid, i, j, queue, MERGE, known)
    for short, partners in sorted(partial.items()):
        # Another title-and-family-name group is decided by its own partners: the fuller names
        # alone say how many people the short one may be.
        full = {p: s for p, s in partners.items() if not _short(evidence[p])} or partners
        best: dict[int, tuple[int, int]] = {}
        for p, s in full.items():
            root = find(p)
            best[root] = max(best.get(root, (s, -p)), (s, -p))
        ranked = sorted(best.values(), reverse=True)
        # Several people fit: the one whose post and workplace agree clearly better still wins.
        if len(ranked) == 1 or ranked[0][0] >= ranked[1][0] + _SHORT_LEAD:
            _union(
                find, parent, evidence, merged, forbid, short, -ranked[0][1], queue, MERGE, known
            )
        else:
            queue.extend((SHORT_MERGE - 1, short, p) for p in sorted(partners))
    clusters: dict[int, list[int]] = defaultdict(list)
    for i in range(n):
        clusters[find(i)].append(i)
    left = [
        (s, i, j)
        for s, i, j in queue
        if find(i) != find(j) and not any(find(x) == find(j) for x in forbid.get(find(i), ()))
    ]
    return list(clusters.values()), _ranked(left, find, merged)


def _ranked(queue, find, merged) -> list[tuple[int, int, int]]:  # type: ignore[no-untyped-def]
    """The queue best first: by score; within a score, pairs whose groups compete with fewer
    other queued groups first (a group fitting several others is one of them at best), then
    those joining more nominations (one answer settles more of the campaign)."""
    partners: dict[int, set[int]] = defaultdict(set)
    for _, i, j in queue:
        a, b = find(i), find(j)
        partners[a].add(b)
        partners[b].add(a)

    def key(t: tuple[int, int, int]) -> tuple[int, int, int, int, int]:
        a, b = find(t[1]), find(t[2])
        rivals = max(len(partners[a]), len(partners[b]))
        return (-t[0], rivals, -merged[a].size * merged[b].size, t[1], t[2])

    return sorted(queue, key=key)


def _short(e: Evidence) -> bool:
    return all(len(t) == 1 for t in e.names)


def _union(find, parent, evidence, merged, forbid, i, j, queue, score, known) -> None:  # type: ignore[no-untyped-def]
    a, b = find(i), find(j)
    if a == b:
        return
    if any(find(x) == b for x in forbid.get(a, ())):
        return
    if not _consistent(merged[a], merged[b], known):
        queue.append((min(score, MERGE - 1), i, j))
        return
    if merged[a].size < merged[b].size:
        a, b = b, a
    parent[b] = a
    if merged[a] is evidence[a]:  # the group's own evidence, kept as it is for scoring
        merged[a] = Evidence()
        merged[a].absorb(evidence[a])
    merged[a].absorb(merged[b])
    if b in forbid:
        forbid[a] |= forbid.pop(b)
