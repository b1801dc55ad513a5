"""The ``money``, ``yuan`` and ``wan`` template filters; the formatting lives in techmarket.core.money so that
messages built in Python read the amounts the way the pages do.

- ``{{ amount|money }}``: the unit chosen by size ("8,500 元", "12.35 万元", "1.50 亿元"): lists, cards, prose.
- ``{{ amount|money:"元" }}``: exact to the fen, with the 万元 reading from ten thousand on
  ("1,234,567.89 元（123.46 万元）"): where an amount is applied for, decided or paid.
- ``{{ amount|money:"万元" }}`` / ``money:"亿元"``: a fixed unit (ranges, totals next to each other).
- ``yuan`` / ``wan``: the digits alone, for a table column whose header names the unit (…（元）/（万元）).
"""

from django import template

from techmarket.core import money as amounts

register = template.Library()
register.filter("money", amounts.money)
register.filter("yuan", amounts.yuan)
register.filter("wan", amounts.wan)
