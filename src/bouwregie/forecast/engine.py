"""The Monte Carlo kernel: projects × runs, vectorised with numpy, chunked over runs to bound memory,
deterministic by seed (each chunk of runs has its own stream, spawned from the seed).

Per project i and run r: remaining years to its first oplevering T = exp(mu_i + sigma_i·Z + g_r) (a
log-normal, Z standard normal; g_r is the run's common pace, shared by all projects), and a drop-out
when U < p_i (U uniform). Its remaining homes then arrive from the year of t0 + T on, spread by its own
phasing. What is summed per run, area part, year and segment are whole homes, exactly: see `Packing`.
"""

from dataclasses import dataclass

import numpy as np

SEGMENT_COUNT = 6
WORD_BITS = 53  # float64 holds every integer up to 2**53 exactly


@dataclass(frozen=True)
class Inputs:
    """Everything the kernel needs, one row per project still to deliver (model.py builds it)."""

    mu: np.ndarray  # (n,) float32: log-scale location of the years to the first oplevering
    sigma: np.ndarray  # (n,) float32
    p_drop: np.ndarray  # (n,) float32: probability of dropping out before delivery
    part: np.ndarray  # (n,) int: which part of the area (child) the project belongs to
    homes: np.ndarray  # (n, 6) int64: homes per segment arriving in the first year of delivery
    # Homes arriving in later years of a phased delivery: (m,) parent row, (m,) years after the first,
    # (m, 6) homes per segment.
    extra_parent: np.ndarray
    extra_offset: np.ndarray
    extra_homes: np.ndarray
    year_fraction: float  # how much of the forecast's first year had passed at the peiling's date
    years: int  # calendar years in the horizon (the first is the peiling's year)
    parts: int
    common_log_sd: float  # sd of g_r


@dataclass(frozen=True)
class Draws:
    """Homes per run × part × bucket × segment; buckets are the horizon's years, then 'later', then
    'dropped out'."""

    homes: np.ndarray  # (runs, parts, years + 2, 6) int32

    @property
    def later(self) -> int:
        return self.homes.shape[2] - 2


class Packing:
    """Several segments summed in one float64 bincount: segment s is scaled by 2**shift_s, and no sum can
    overflow into its neighbour because each field has as many bits as the largest sum any bin can reach
    (the segment's homes in the largest part of the area). All partial sums stay below 2**53, where float64
    is exact, so the unpacked sums are exact. Two bincounts instead of six: the kernel's largest cost
    after the draws. Fields are packed largest first into the word where they fit (first fit decreasing)."""

    def __init__(self, largest_sums: np.ndarray):
        self.bits = {s: max(int(t).bit_length(), 1) for s, t in enumerate(largest_sums)}
        self.words: list[list[tuple[int, int]]] = []  # per word: (segment, shift)
        used: list[int] = []
        for s in sorted(self.bits, key=lambda s: (-self.bits[s], s)):
            w = next((i for i, u in enumerate(used) if u + self.bits[s] <= WORD_BITS), None)
            if w is None:
                self.words.append([])
                used.append(0)
                w = len(used) - 1
            self.words[w].append((s, used[w]))
            used[w] += self.bits[s]

    def pack(self, homes: np.ndarray) -> list[np.ndarray]:
        """(n, 6) homes → one float64 weight per project per word."""
        return [sum(homes[:, s].astype(np.float64) * float(1 << shift) for s, shift in word) for word in self.words]

    def unpack(self, sums: list[np.ndarray], out: np.ndarray) -> None:
        """Word sums (float64, exact integers) → out[..., segment]."""
        for word, total in zip(self.words, sums, strict=True):
            whole = np.rint(total).astype(np.int64)
            for s, shift in word:
                out[..., s] = (whole >> shift) & ((1 << self.bits[s]) - 1)


def chunk_runs(n: int) -> int:
    """Runs per chunk: about 256 thousand project-runs, so that a chunk's arrays (1 MB each) stay in the
    processor's cache through all the steps below: on a 2-core VM this took the steps after the draws
    from 1.9 s to 0.9 s for the demo's 16,500 projects × 10,000 runs (bench/results/forecast.md)."""
    return int(max(1, min(4096, 262_144 // max(n, 1))))


SPLITS = (1, 2, 4, 8, 16)


def bins_of(inputs: Inputs) -> tuple[np.ndarray, int, Packing]:
    """Each project's bin among the area's parts split `k` ways ((n,) int64 in [0, parts * k)), k and the packing.

    A bin's packed field must hold the largest sum it can reach, which is the segment's homes in its part: at
    250,000 projects a province's segments need 18 to 20 bits each, 114 in all, so three float64 words and three
    bincounts over every project-run. Spreading each part's projects over k bins (round robin) divides those sums
    by about k; the smallest k that packs into the fewest words (two, at every scale measured) is taken, and the
    k bins are added up again after the bincounts (`simulate`). The sums stay exact whole homes, and the draws are
    untouched, so the result is the same as with k = 1 (issue #21: the bincounts were the kernel's largest cost
    after the draws)."""
    n = len(inputs.mu)
    best = None
    homes = np.concatenate([inputs.homes, inputs.extra_homes])
    for k in SPLITS:
        bins = inputs.part * k + np.arange(n) % k
        every = np.concatenate([bins, bins[inputs.extra_parent]])
        largest = [np.bincount(every, weights=homes[:, s], minlength=inputs.parts * k).max(initial=0)
                   for s in range(SEGMENT_COUNT)]  # fmt: skip
        packing = Packing(np.array(largest))
        if best is None or len(packing.words) < len(best[2].words):
            best = (bins, k, packing)
    return best


def simulate(inputs: Inputs, runs: int, seed: int, progress=None) -> Draws:
    n, parts, buckets = len(inputs.mu), inputs.parts, inputs.years + 2
    later, dropped = float(inputs.years), float(inputs.years + 1)
    out = np.zeros((runs, parts, buckets, SEGMENT_COUNT), dtype=np.int32)
    per_chunk = chunk_runs(n)
    chunks = [(start, min(start + per_chunk, runs)) for start in range(0, runs, per_chunk)]
    streams = np.random.SeedSequence(seed).spawn(len(chunks))
    bins, split, packing = bins_of(inputs)
    weights = [np.tile(w, per_chunk) for w in packing.pack(inputs.homes)]
    extra_weights = [np.tile(w, per_chunk) for w in packing.pack(inputs.extra_homes)]
    # The bin of (run in chunk, part, bucket) is base + bucket; float64 so that adding the bucket (a float)
    # and truncating to the bin number is one step.
    base = ((np.arange(per_chunk, dtype=np.int64)[:, None] * parts * split + bins[None, :]) * buckets).astype(
        np.float64
    )
    summed = np.zeros((per_chunk, parts * split, buckets, SEGMENT_COUNT), dtype=np.int32)  # before adding the k bins
    extra_base = base[:, inputs.extra_parent].astype(np.int64)
    offset = inputs.extra_offset[None, :]
    z = np.empty((per_chunk, n), dtype=np.float32)
    u = np.empty((per_chunk, n), dtype=np.float32)
    gone = np.empty((per_chunk, n), dtype=bool)
    key = np.empty((per_chunk, n), dtype=np.int64)
    mu, sigma, p_drop = inputs.mu[None, :], inputs.sigma[None, :], inputs.p_drop[None, :]
    report_every = max(1, len(chunks) // 50)
    for c, ((start, stop), stream) in enumerate(zip(chunks, streams, strict=True)):
        rc = stop - start
        gen = np.random.Generator(np.random.PCG64(stream))
        common = gen.normal(0.0, inputs.common_log_sd, rc).astype(np.float32)[:, None]
        zc, uc, gc, kc = z[:rc], u[:rc], gone[:rc], key[:rc]
        gen.standard_normal(dtype=np.float32, out=zc)
        gen.random(dtype=np.float32, out=uc)
        np.multiply(zc, sigma, out=zc)
        np.add(zc, mu, out=zc)
        np.add(zc, common, out=zc)
        np.exp(zc, out=zc)  # years from the peiling to the first oplevering
        np.add(zc, inputs.year_fraction, out=zc)  # → years from the start of the first calendar year
        np.minimum(zc, later, out=zc)
        np.less(uc, p_drop, out=gc)
        np.copyto(zc, dropped, where=gc)
        # Truncation is the calendar year (all values are >= 0).
        np.add(zc, base[:rc], out=kc, dtype=np.float64, casting="unsafe")
        size = rc * parts * split * buckets
        sums = [np.bincount(kc.ravel(), weights=w[: rc * n], minlength=size) for w in weights]
        if len(inputs.extra_parent):
            first_year = zc[:, inputs.extra_parent].astype(np.int64)
            spread = np.where(first_year >= inputs.years, first_year, np.minimum(first_year + offset, inputs.years))
            spread += extra_base[:rc]
            m = len(inputs.extra_parent)
            for total, w in zip(sums, extra_weights, strict=True):
                total += np.bincount(spread.ravel(), weights=w[: rc * m], minlength=size)
        packing.unpack([s.reshape(rc, parts * split, buckets) for s in sums], summed[:rc])
        summed[:rc].reshape(rc, parts, split, buckets, SEGMENT_COUNT).sum(axis=2, out=out[start:stop])
        if progress and (c % report_every == 0 or c == len(chunks) - 1):
            progress(int(100 * (c + 1) / len(chunks)))
    return Draws(homes=out)
