"""Build the static token table for the shared corpus (normally done on first use)."""

from __future__ import annotations

from bench.common import CACHE, load_corpus, log
from bench.systems import doc_text, static_vocab
from techmatch.analysis import Analyzer
from techmatch.dense import E5Encoder, build_token_table


def main() -> None:
    an = Analyzer()
    corpus = load_corpus()
    toks, _ = static_vocab([an.words(doc_text(d)) for d in corpus])
    log(f"vocabulary {len(toks)} tokens")
    build_token_table(toks, E5Encoder(), CACHE)
    log("done")


if __name__ == "__main__":
    main()
