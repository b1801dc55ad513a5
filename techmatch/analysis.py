"""Chinese text analysis: normalisation, word tokens (rjieba), character bigrams.

The analyser is deterministic and has no global state except the user dictionary
that is pushed into rjieba (a process-wide segmenter).  Domain terms from the user
dictionary are additionally found by substring scan so that they are always emitted
as whole tokens, even where the segmenter would split them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import rjieba

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_RUN = re.compile(f"[{_CJK}]+")
_ALNUM_RUN = re.compile(r"[a-z0-9][a-z0-9.+\-]*[a-z0-9+]|[a-z0-9]")
_TOKEN_OK = re.compile(f"[{_CJK}a-z0-9]")

# Function words and generic research/enterprise vocabulary that carries no topic.
DEFAULT_STOPWORDS: frozenset[str] = frozenset(
    """的 了 和 与 及 或 等 在 对 为 以 由 于 从 将 把 被 是 有 也 都 而 并 其 该 此 这 那 之 上 下 中 内 外
    一 一种 一个 一些 以及 及其 通过 进行 采用 利用 使用 基于 根据 对于 关于 具有 可以 能够 可 能 会 要 需 需要
    我们 本文 文中 本 我 公司 企业 我公司 本公司 本企业 项目 问题 方法 研究 结果 表明 分析 提出 发现 实现 达到
    技术 需求 目标 要求 主要 相关 方面 情况 目前 现有 已经 已 还 不 没有 较 很 更 最 非常 其中 之间 同时 因此
    所以 但是 但 如果 以上 以下 及时 良好 提高 提升 解决 存在 开展 开发 研发 研制 产品 工作 内容 预期 具体 方案
    包括 一定 得到 获得 作为 形成 不断 如何 哪些 几 个 种 年 月 日 万元 元 第 各 每 多 少 大 小 高 低 新""".split()  # noqa: SIM905
)

_FULLWIDTH = str.maketrans({chr(c): chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)} | {"\u3000": " "})


def normalize(text: str) -> str:
    """NFKC-like normalisation: full-width to half-width, lower-case."""
    return unicodedata.normalize("NFKC", text.translate(_FULLWIDTH)).lower()


@dataclass
class Analyzer:
    """Tokeniser producing word tokens and character bigrams.

    ``user_terms`` are operator-maintained domain terms (one per line in a file, see
    :meth:`load_user_dict`); ``stopwords`` are dropped from word tokens.
    """

    user_terms: set[str] = field(default_factory=set)
    stopwords: frozenset[str] = DEFAULT_STOPWORDS
    _user_re: re.Pattern[str] | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        terms = set(self.user_terms)
        self.user_terms = set()
        self.add_terms(terms)

    # ---- user dictionary -------------------------------------------------
    def add_terms(self, terms: Iterable[str]) -> None:
        new = {normalize(t).strip() for t in terms} - {""}
        for t in sorted(new - self.user_terms):
            rjieba.add_word(t, None, None)
        self.user_terms |= new
        if self.user_terms:
            alts = sorted(self.user_terms, key=lambda s: (-len(s), s))
            self._user_re = re.compile("|".join(re.escape(t) for t in alts))
        else:
            self._user_re = None

    def load_user_dict(self, path: str | Path) -> None:
        """Load ``term [freq [tag]]`` lines (jieba user-dict format; '#' comments)."""
        lines = Path(path).read_text(encoding="utf-8").splitlines()
        self.add_terms(ln.split()[0] for ln in lines if ln.strip() and not ln.lstrip().startswith("#"))

    # ---- tokenisation ------------------------------------------------------
    def words(self, text: str, keep_stopwords: bool = False) -> list[str]:
        """Word tokens (rjieba), lower-cased, punctuation and stop words removed."""
        norm = normalize(text)
        out: list[str] = []
        for tok in rjieba.cut(norm):
            tok = tok.strip()
            if not tok or not _TOKEN_OK.search(tok):
                continue
            if not keep_stopwords and tok in self.stopwords:
                continue
            if len(tok) == 1 and not tok.isalnum():
                continue
            out.append(tok)
        if self._user_re is not None:
            out.extend(m.group(0) for m in self._user_re.finditer(norm) if m.group(0) not in out)
        return out

    @staticmethod
    def bigrams(text: str) -> list[str]:
        """Overlapping character bigrams over CJK runs; Latin/digit runs as whole tokens.

        A one-character CJK run yields the character itself, so nothing is lost.
        """
        norm = normalize(text)
        out: list[str] = []
        for m in _CJK_RUN.finditer(norm):
            run = m.group(0)
            if len(run) == 1:
                out.append(run)
            else:
                out.extend(run[i : i + 2] for i in range(len(run) - 1))
        out.extend(m.group(0) for m in _ALNUM_RUN.finditer(norm))
        return out

    def tokens(self, text: str, mode: str) -> list[str]:
        if mode == "word":
            return self.words(text)
        if mode == "bigram":
            return self.bigrams(text)
        raise ValueError(f"unknown analysis mode {mode!r}")


def find_spans(text: str, terms: Sequence[str]) -> list[tuple[int, int, str]]:
    """Non-overlapping (start, end, term) character spans of ``terms`` in ``text``.

    Matching is on the normalised text (NFKC keeps offsets for CJK and ASCII); longer
    terms win over shorter ones at the same position.
    """
    norm = normalize(text)
    if len(norm) != len(text):  # exotic normalisation changed length: match raw lower-case
        norm = text.lower()
    uniq = sorted({t for t in terms if t}, key=lambda s: (-len(s), s))
    taken = bytearray(len(norm))
    spans: list[tuple[int, int, str]] = []
    for t in uniq:  # longest first; a shorter term never overlaps a longer one already taken
        i = norm.find(t)
        while i >= 0:
            if not any(taken[i : i + len(t)]):
                taken[i : i + len(t)] = b"\x01" * len(t)
                spans.append((i, i + len(t), t))
            i = norm.find(t, i + len(t))
    return sorted(spans)
