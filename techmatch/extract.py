"""Extract the technical part of a free-text need (query cleaning).

Enterprise needs mix the technical problem with company background (现有工作基础,
公司简介, 销售收入 …).  We drop whole sections whose heading is a boilerplate heading
and, elsewhere, single sentences that are about the company rather than the
technology.  The rules are generic (headings and business vocabulary), not fitted
to particular needs.
"""

from __future__ import annotations

import re

_HEADING = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[)）]|\d+[、.．)）]|第[一二三四五六七八九十]+[部分章节]?)?"
    r"\s*([^：:，,。；;]{2,16})\s*[：:]"
)
BOILERPLATE_HEADINGS = re.compile(
    r"工作基础|现有基础|研究基础|实验基础|科研基础|现在基础|已有基础|基础条件|研究进展|公司简介|企业简介|单位简介|企业概况|"
    r"公司概况|基本情况|企业情况|经济基础|项目预算|经费|资金|投入|合作方式|联系|联系人|技术背景|企业背景"
)
TECH_HEADINGS = re.compile(r"需求|目标|内容|难题|问题|指标|要求|关键|解决|性能|目的")
_BUSINESS = re.compile(
    r"销售收入|营业收入|利润|产值|纳税|税收|注册资本|万元|亿元|厂房|占地|员工|职工|人员队伍|管理人员|高新技术企业|"
    r"成立于|年成立|成立以来|公司成立|市场前景|市场客户|经济效益|社会效益|资金及时|人力资源|执行力|组织机构"
)
_SENT_SPLIT = re.compile(r"(?<=[。；;！!？?])|\n")


def technical_text(text: str) -> str:
    """The technical part of ``text`` (falls back to the whole text if nothing is left)."""
    kept: list[str] = []
    skipping = False
    for line in text.splitlines():
        m = _HEADING.match(line)
        if m:
            head = m.group(1)
            if BOILERPLATE_HEADINGS.search(head) and not TECH_HEADINGS.search(head.replace("基础", "")):
                skipping = True
                continue
            skipping = False
        if skipping:
            continue
        for sent in _SENT_SPLIT.split(line):
            if sent.strip() and not _BUSINESS.search(sent):
                kept.append(sent.strip())
    out = "\n".join(kept).strip()
    return out if len(out) >= 10 else text


def need_query(title: str, text: str) -> str:
    """Query text for a need: title, then its technical text."""
    return f"{title}\n{technical_text(text)}"
