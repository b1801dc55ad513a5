"""techmatch: Chinese matching engine for technology transfer (needs ↔ achievements/experts).

Pure Python + numpy; no Django.  Typical use::

    from techmatch import Document, Engine
    eng = Engine()                      # lexical only; pass encoder= for dense signals
    eng.add_many([Document("a1", "achievement", "磷酸铁锂电池正极材料", "...")])
    for r in eng.search(Document("n1", "need", "锂电池正极改性", "..."), k=10):
        print(r.id, r.score, r.reasons)
"""

from .analysis import Analyzer
from .dense import E5Encoder, EmbeddingCache, Encoder, StaticEncoder, build_static_encoder
from .documents import DIRECTIONS, Document
from .explain import Highlight
from .features import FeatureWeights
from .index import E5_MIN_SIMILARITY, MIN_RELEVANCE, Engine, EngineConfig, Filters, Reranker, Result, Results
from .store import Head, IndexStore, Publication, Replica, SegmentGone, open_replica, writing

__all__ = [
    "DIRECTIONS",
    "E5_MIN_SIMILARITY",
    "Analyzer",
    "Document",
    "E5Encoder",
    "EmbeddingCache",
    "Encoder",
    "Engine",
    "EngineConfig",
    "FeatureWeights",
    "Filters",
    "Highlight",
    "Reranker",
    "Result",
    "Results",
    "StaticEncoder",
    "build_static_encoder",
    "MIN_RELEVANCE",
    "Head",
    "IndexStore",
    "Publication",
    "SegmentGone",
    "open_replica",
    "Replica",
    "writing",
]
