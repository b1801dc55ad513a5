"""{% load text %}: ``{{ labels|words }}`` lists words with the enumeration comma of the page's language
("甲、乙" / "A, B"), where ``join:"、"`` put a Chinese comma between English words."""

from django import template

from techmarket.core.text import word_list

register = template.Library()
register.filter("words", word_list)
