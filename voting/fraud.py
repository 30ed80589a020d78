"""Fraud signals for a voting round: clusters of attempts that a manager should look at.

Pure: no database, no I/O, standard library only. The tests in tests/voting/test_fraud.py check
each rule. Signals only: nothing here drops or voids a vote. Managers review each cluster with its
evidence and may void its votes (``vote_ids``); honest crowds trip these rules too.

Attempts
    One per vote, SMS code sent, or SMS code failed, from the round's opening: the earliest attempt
    stands for the opening. ``phone_hash`` is a keyed hash of the number ("" without a valid
    number). ``phone_seq`` is six digits as an int (None without a number): runs of consecutive
    numbers need numeric order, and six digits is what the rule needs and no more. The caller
    stores ``campaign.phones.run_token`` (a keyed hash of the number's hundred, then its last two
    digits), so consecutive numbers stay consecutive while the digits of the number are not kept.
    Four would not do: at 20,000 voters an hour every four-digit tail is taken, so every number
    would sit in a run; with six, a chance run of five in an hour is rare (about 10^6 * 0.02^5,
    0.3%). Different numbers can share a token (another hundred), and a run across a hundred
    (..99, ..00) is seen as two.
    ``address`` (IP) and ``browser`` (a hashed cookie id) are "" for SMS.
    With ``now``, attempts after it are left out (signals as they stood then); without it, now is
    the latest attempt. Times must all be aware or all naive. All windows are half-open: "within an
    hour" means less than an hour from first to last. Every cluster lists its votes' ids ascending,
    ``start`` and ``end`` (first and last attempt it covers), ``evidence`` (counts a manager reads)
    and ``score``: 1 - 0.5 / r to three decimals, where r is how far the cluster passes its
    threshold (the weakest r when a rule has several): 0.5 at it, 0.75 at twice it, towards 1.
    Overlapping windows that pass a rule merge into one cluster.

burst (key "candidate N")
    A five-minute window of votes for one candidate with at least 30 votes, at least 10 times the
    candidate's usual rate (the median of its votes per five-minute bucket, counted from the
    opening to now, empty buckets included), and at least 3 times its usual odds: (its votes /
    other candidates' votes) in the window over the same outside the window, one added to each of
    the four counts so that none is 0 or infinite. A TV episode raises every candidate's rate, but
    not a candidate's odds, so a surge shared in proportion is not flagged; odds rather than shares
    so that a leader at 60% can still be flagged (twice its share would be 120%). A surge for the
    candidate an episode featured is flagged: the evidence lets managers match it to the broadcast.
    Evidence: votes, peak (votes in the busiest window), usual_rate, rate_ratio (peak over the usual
    rate, a usual rate below 1 counting as 1), window_share and usual_share (of all votes in and
    outside the busiest window), odds_ratio.
shared_address (key: the address)
    At least 20 distinct phones voting from one address within an hour. Cybercafes, schools and
    mobile carriers' NAT put many honest voters behind one address: a signal, never proof. SMS votes
    have no address and never count. Evidence: phones, peak_phones (in the busiest hour), votes,
    span_minutes.
shared_browser (key: the browser id)
    At least 5 distinct phones voting from one browser id over the round (a family sharing a phone
    trips it too). Evidence: phones, votes, span_minutes.
consecutive_numbers (key "first-last", six digits each)
    At least 5 numbers with consecutive ``phone_seq`` (n, n + 1, ...) that all voted within an
    hour: a block of SIM cards. A block voting through a longer time, each five within an hour,
    makes one cluster. Evidence: numbers, votes, first, last, span_minutes; votes above numbers
    means some tails voted twice (another prefix): look at those before voiding.
code_flood (key "address A" or "browser B")
    At least 10 code requests (sent, or refused by a limit) from one address or one browser within
    an hour: someone making the site send SMS (to numbers they may not hold), or probing numbers.
    ``vote_ids`` are that source's votes in the flood's span. Evidence: requests, refused, peak
    (in the busiest hour), phones (distinct among the requests), votes, span_minutes.
failed_codes (key "address A" or "phone H")
    At least 10 failed code attempts from one address, or 5 for one phone, within an hour.
    ``vote_ids`` are the votes from that address or phone from the first failure until an hour
    (the window) after the last. Evidence: failures, peak (in the busiest hour), phones (distinct
    among an address's failures) or addresses (a phone's), votes, span_minutes.

Order: score descending, then kind, key, start. Cost: one sort and linear sliding windows, so
100,000 attempts take a fraction of a second.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from operator import attrgetter
from typing import Literal

_AT = attrgetter("at")
_US = timedelta(microseconds=1)  # times become integer microseconds: fast, exact comparisons
CHANNELS = ("web", "sms")
KINDS = ("vote", "code_failed", "code_sent", "code_refused")
ClusterKind = Literal[
    "burst",
    "shared_address",
    "shared_browser",
    "consecutive_numbers",
    "failed_codes",
    "code_flood",
]


@dataclass(frozen=True, slots=True)
class Attempt:
    at: datetime
    channel: Literal["web", "sms"]
    candidate: int | None  # ballot number, for votes
    phone_hash: str  # keyed hash of the number; "" without a valid number
    phone_seq: int | None  # the number's last six digits; None without a number
    address: str  # IP; "" for SMS
    browser: str  # hashed browser (cookie) id; "" for SMS
    kind: Literal["vote", "code_failed", "code_sent", "code_refused"]
    vote_id: int | None  # required for votes


@dataclass(frozen=True, slots=True)
class Params:
    burst_window: timedelta = timedelta(minutes=5)
    burst_min_votes: int = 30
    burst_rate_factor: float = 10.0
    burst_odds_factor: float = 3.0
    address_window: timedelta = timedelta(hours=1)
    address_min_phones: int = 20
    browser_min_phones: int = 5
    run_window: timedelta = timedelta(hours=1)
    run_min_numbers: int = 5
    failed_window: timedelta = timedelta(hours=1)
    failed_per_address: int = 10
    failed_per_phone: int = 5
    flood_window: timedelta = timedelta(hours=1)
    flood_per_source: int = 10

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not value > (timedelta(0) if isinstance(value, timedelta) else 0):
                raise ValueError(f"{f.name} must be above zero")


@dataclass(frozen=True, slots=True)
class Cluster:
    kind: ClusterKind
    key: str
    start: datetime
    end: datetime
    vote_ids: tuple[int, ...]
    evidence: dict[str, int | float]
    score: float  # 0.5 at the threshold, towards 1 beyond


def signals(
    attempts: Iterable[Attempt], *, now: datetime | None = None, params: Params = Params()
) -> list[Cluster]:
    """The round's fraud signals (rules in the module docstring). Raises ValueError for an unknown
    channel or kind, or a vote without a vote_id (among the attempts up to ``now``)."""
    chosen = list(attempts) if now is None else [a for a in attempts if a.at <= now]
    if not chosen:
        return []
    # Sorting by time alone leaves attempts at the same instant in input order; that cannot change
    # the result, as every rule reads sets of attempts between two times (the tests shuffle).
    chosen.sort(key=_AT)
    round_ = _Round(chosen, now or chosen[-1].at)
    clusters = [
        *_bursts(round_, params),
        *_shared(round_, params, "address"),
        *_shared(round_, params, "browser"),
        *_runs(round_, params),
        *_failed(round_, params, "address"),
        *_failed(round_, params, "phone_hash"),
        *_floods(round_, params, "address"),
        *_floods(round_, params, "browser"),
    ]
    clusters.sort(key=lambda c: (-c.score, c.kind, c.key, c.start, c.vote_ids))
    return clusters


class _Round:
    """The attempts in time order, with each one's time as integer microseconds from the first."""

    def __init__(self, attempts: list[Attempt], now: datetime) -> None:
        t0 = attempts[0].at
        self.attempts = attempts
        self.us = [(a.at - t0) // _US for a in attempts]
        self.now_us = (now - t0) // _US
        self._columns: dict[str, list] = {}
        kinds, channels = self.column("kind"), self.column("channel")
        if not set(kinds) <= set(KINDS) or not set(channels) <= set(CHANNELS):
            raise ValueError(f"unknown kind or channel among {set(kinds)} {set(channels)}")
        self.votes = [i for i, kind in enumerate(kinds) if kind == "vote"]
        if None in {self.attempts[i].vote_id for i in self.votes}:
            raise ValueError("a vote without a vote_id")

    def column(self, field: str) -> list:
        """One field of every attempt, by index (lists are much faster than attribute lookups)."""
        if field not in self._columns:
            self._columns[field] = list(map(attrgetter(field), self.attempts))
        return self._columns[field]

    def by(self, indexes: list[int], field: str, least: int = 1) -> dict[Hashable, list[int]]:
        """Attempt indexes grouped by a non-empty field value, in time order; only the groups
        of at least ``least`` (counted first, in C: most addresses send one vote)."""
        column = self.column(field)
        values = [column[i] for i in indexes]
        common = {v for v, n in Counter(values).items() if n >= least} - {"", None}
        groups: dict[Hashable, list[int]] = {}
        for i, value in zip(indexes, values, strict=True):
            if value in common:
                if value in groups:
                    groups[value].append(i)
                else:
                    groups[value] = [i]
        return groups

    def cluster(self, kind, key, members, votes, evidence, ratio) -> Cluster:
        a = self.attempts
        start, end = a[members[0]].at, a[members[-1]].at
        evidence["span_minutes"] = round((end - start) / timedelta(minutes=1), 1)
        ids = tuple(sorted(a[i].vote_id for i in votes))
        return Cluster(kind, key, start, end, ids, evidence, round(1 - 0.5 / ratio, 3))


def _spans(times: list[int], tokens: list | None, width: int, least: int) -> list[tuple]:
    """Merged runs of passing windows, as (first, stop, peak): every window [times[i], times[i] +
    width) holding at least ``least`` distinct tokens (items, without tokens) passes, and passing
    windows that share an item merge. One pass with two pointers."""
    spans: list[tuple[int, int, int]] = []
    counts: dict = {}
    n, j = len(times), 0
    for i in range(n):
        end = times[i] + width
        while j < n and times[j] < end:
            if tokens is not None:
                counts[tokens[j]] = counts.get(tokens[j], 0) + 1
            j += 1
        size = j - i if tokens is None else len(counts)
        if size >= least:
            if spans and i < spans[-1][1]:
                spans[-1] = (spans[-1][0], j, max(spans[-1][2], size))
            else:
                spans.append((i, j, size))
        if tokens is not None:
            left = counts[tokens[i]] - 1
            if left:
                counts[tokens[i]] = left
            else:
                del counts[tokens[i]]
    return spans


def _bursts(r: _Round, p: Params) -> list[Cluster]:
    width = p.burst_window // _US
    buckets = r.now_us // width + 1
    candidate_of = r.column("candidate")
    voted = [i for i in r.votes if candidate_of[i] is not None]
    everyone = [r.us[i] for i in voted]
    clusters = []
    for candidate, mine in r.by(voted, "candidate").items():
        times = [r.us[i] for i in mine]
        usual = _median_with_zeros(times, width, buckets)
        least = max(p.burst_min_votes, p.burst_rate_factor * usual)
        ours, theirs = len(times), len(everyone) - len(times)
        spans: list[list] = []  # [first, stop, peak, peak's (c, o, C', O', odds)]
        j = 0
        for i, t in enumerate(times):
            end = t + width
            while j < len(times) and times[j] < end:
                j += 1
            c = j - i
            if c < least:
                continue
            lo = bisect_left(everyone, t)
            o = bisect_left(everyone, end, lo) - lo - c
            c_out, o_out = ours - c, theirs - o
            odds = (c + 1) * (o_out + 1) / ((o + 1) * (c_out + 1))
            if odds < p.burst_odds_factor:
                continue
            if spans and i < spans[-1][1]:
                spans[-1][1] = j
                if c > spans[-1][2]:
                    spans[-1][2:] = [c, (c, o, c_out, o_out, odds)]
            else:
                spans.append([i, j, c, (c, o, c_out, o_out, odds)])
        for first, stop, peak, (c, o, c_out, o_out, odds) in spans:
            members = mine[first:stop]
            evidence = {
                "votes": len(members),
                "peak": peak,
                "usual_rate": usual,
                "rate_ratio": round(peak / max(usual, 1), 3),
                "window_share": round(c / (c + o), 3),
                "usual_share": round(c_out / (c_out + o_out), 3) if c_out + o_out else 0.0,
                "odds_ratio": round(odds, 3),
            }
            ratios = [peak / p.burst_min_votes, odds / p.burst_odds_factor]
            if usual:
                ratios.append(peak / (p.burst_rate_factor * usual))
            key = f"candidate {candidate}"
            clusters.append(r.cluster("burst", key, members, members, evidence, min(ratios)))
    return clusters


def _median_with_zeros(times: list[int], width: int, buckets: int) -> float:
    """Median count per bucket of ``width`` over ``buckets`` buckets, empty buckets included."""
    counts: dict[int, int] = {}
    for t in times:
        counts[t // width] = counts.get(t // width, 0) + 1
    busy = sorted(counts.values())
    zeros = buckets - len(busy)

    def nth(k: int) -> int:
        return 0 if k < zeros else busy[k - zeros]

    return (nth((buckets - 1) // 2) + nth(buckets // 2)) / 2


def _shared(r: _Round, p: Params, field: str) -> list[Cluster]:
    """shared_address (sliding hour) and shared_browser (whole round)."""
    kind = f"shared_{field}"
    least = p.address_min_phones if field == "address" else p.browser_min_phones
    phone_of = r.column("phone_hash")
    clusters = []
    for key, mine in r.by(r.votes, field, least).items():
        mine = [i for i in mine if phone_of[i]]
        phones = [phone_of[i] for i in mine]
        if field == "browser":
            distinct = len(set(phones))
            if distinct >= least:
                evidence = {"phones": distinct, "votes": len(mine)}
                clusters.append(r.cluster(kind, key, mine, mine, evidence, distinct / least))
            continue
        times = [r.us[i] for i in mine]
        for first, stop, peak in _spans(times, phones, p.address_window // _US, least):
            members = mine[first:stop]
            evidence = {
                "phones": len(set(phones[first:stop])),
                "peak_phones": peak,
                "votes": len(members),
            }
            clusters.append(r.cluster(kind, key, members, members, evidence, peak / least))
    return clusters


def _runs(r: _Round, p: Params) -> list[Cluster]:
    """consecutive_numbers, in one pass over the votes in time order keeping the last hour's
    numbers: a run of at least ``run_min_numbers`` within an hour is whole in the window when its
    last vote arrives, so looking ``run_min_numbers - 1`` numbers each way from every arriving
    number finds every member of every run. Runs found sharing a vote are joined (union-find)."""
    seq_of = r.column("phone_seq")
    numbered = [i for i in r.votes if seq_of[i] is not None]
    # A run within an hour lies inside a run over the whole round: only numbers in one of those
    # (a few, with six digits) need the sliding window.
    in_runs: set[int] = set()
    run: list[int] = []
    for n in sorted({seq_of[i] for i in numbered}):
        if run and n != run[-1] + 1:
            if len(run) >= p.run_min_numbers:
                in_runs.update(run)
            run = []
        run.append(n)
    if len(run) >= p.run_min_numbers:
        in_runs.update(run)
    items = [i for i in numbered if seq_of[i] in in_runs]
    times, seqs = [r.us[i] for i in items], [seq_of[i] for i in items]
    width, reach = p.run_window // _US, p.run_min_numbers - 1
    present: dict[
        int, list[int]
    ] = {}  # number -> its votes in the window (positions), oldest first
    parent: dict[int, int] = {}

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    left = 0
    for x, (t, seq) in enumerate(zip(times, seqs, strict=True)):
        while t - times[left] >= width:
            gone = present[seqs[left]]
            if len(gone) > 1:
                gone.pop(0)
            else:
                del present[seqs[left]]
            left += 1
        if seq in present:
            present[seq].append(x)
        else:
            present[seq] = [x]
        if seq - 1 not in present and seq + 1 not in present:
            continue  # the common case: a lone number
        lo = hi = seq
        while seq - lo < reach and lo - 1 in present:
            lo -= 1
        while hi - seq < reach and hi + 1 in present:
            hi += 1
        if hi - lo + 1 >= p.run_min_numbers:
            here = root(parent.setdefault(x, x))
            for n in range(lo, hi + 1):
                for other in present[n]:
                    parent[root(parent.setdefault(other, other))] = here
    components: dict[int, list[int]] = {}
    for x in sorted(parent):  # positions are in time order
        components.setdefault(root(x), []).append(items[x])
    clusters = []
    for members in components.values():
        numbers = {seq_of[i] for i in members}
        first, last = min(numbers), max(numbers)
        evidence = {"numbers": len(numbers), "votes": len(members), "first": first, "last": last}
        key, ratio = f"{first:06d}-{last:06d}", len(numbers) / p.run_min_numbers
        clusters.append(r.cluster("consecutive_numbers", key, members, members, evidence, ratio))
    return clusters


def _failed(r: _Round, p: Params, field: str) -> list[Cluster]:
    """failed_codes per address or per phone."""
    by_address = field == "address"
    least = p.failed_per_address if by_address else p.failed_per_phone
    width = p.failed_window // _US
    other = r.column("phone_hash" if by_address else "address")
    failed = [i for i, kind in enumerate(r.column("kind")) if kind == "code_failed"]
    found = []
    for value, mine in r.by(failed, field, least).items():
        times = [r.us[i] for i in mine]
        found += [(value, mine, times, span) for span in _spans(times, None, width, least)]
    if not found:
        return []
    column, wanted = r.column(field), {value for value, *_ in found}
    votes = r.by([i for i in r.votes if column[i] in wanted], field)
    clusters = []
    for value, mine, times, (first, stop, peak) in found:
        theirs = votes.get(value, [])
        vote_times = [r.us[i] for i in theirs]
        members = mine[first:stop]
        lo = bisect_left(vote_times, times[first])
        voted = theirs[lo : bisect_left(vote_times, times[stop - 1] + width, lo)]
        seen = {other[i] for i in members} - {""}
        evidence = {
            "failures": len(members),
            "peak": peak,
            "phones" if by_address else "addresses": len(seen),
            "votes": len(voted),
        }
        key = f"{'address' if by_address else 'phone'} {value}"
        clusters.append(r.cluster("failed_codes", key, members, voted, evidence, peak / least))
    return clusters


def _floods(r: _Round, p: Params, field: str) -> list[Cluster]:
    """code_flood per address or per browser."""
    kinds = r.column("kind")
    asked = [i for i, kind in enumerate(kinds) if kind in ("code_sent", "code_refused")]
    width, phone_of, clusters = p.flood_window // _US, r.column("phone_hash"), []
    votes = r.by(r.votes, field)
    for value, mine in r.by(asked, field, p.flood_per_source).items():
        times = [r.us[i] for i in mine]
        theirs = votes.get(value, [])
        vote_times = [r.us[i] for i in theirs]
        for first, stop, peak in _spans(times, None, width, p.flood_per_source):
            members = mine[first:stop]
            lo = bisect_left(vote_times, times[first])
            voted = theirs[lo : bisect_left(vote_times, times[stop - 1] + 1, lo)]
            evidence = {
                "requests": len(members),
                "refused": sum(kinds[i] == "code_refused" for i in members),
                "peak": peak,
                "phones": len({phone_of[i] for i in members} - {""}),
                "votes": len(voted),
            }
            key = f"{field} {value}"
            ratio = peak / p.flood_per_source
            clusters.append(r.cluster("code_flood", key, members, voted, evidence, ratio))
    return clusters
