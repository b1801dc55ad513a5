"""Exports: formula injection neutralised in xlsx and CSV; only visible items, no confidential detail."""

import csv
import io

import openpyxl
import pytest
from django.contrib.auth.models import AnonymousUser
from factories import make_operator

from techmarket.catalog.models import Visibility
from techmarket.catalog.workflow import listing_transition
from techmarket.imports.export import export_csv, export_xlsx, neutralise
from techmarket.needs import services as need_services
from techmarket.needs.selectors import need_list_visible_to

pytestmark = pytest.mark.django_db
SECRET = "配方：磷酸铁 62%，碳源 8%"


def _need(user, org, key, *, publish=True, **extra):
    data = {
        "title": f"正极材料低温性能提升{key}",
        "summary": "提升低温放电容量保持率",
        "problem": "低温下容量衰减",
        "external_key": key,
        "confidential_detail": SECRET,
        "contact_phone": "0539-8888888",
    }
    data.update(extra)
    need = need_services.need_create(acting_user=user, owner=org, **data)
    if publish:
        listing_transition(item=need, action="submit", acting_user=user)
        listing_transition(item=need, action="publish", acting_user=make_operator())
    return need


def _xlsx_rows(content):
    ws = openpyxl.load_workbook(io.BytesIO(content)).active
    return [[c.value for c in row] for row in ws.iter_rows()]


def _csv_rows(content):
    assert content.startswith(b"\xef\xbb\xbf")  # BOM: Excel opens the Chinese correctly
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


@pytest.mark.parametrize("payload", ['=HYPERLINK("http://x")', "+1+2", "-2+3", "@SUM(A1)"])
def test_formula_like_text_is_prefixed_with_a_quote_in_xlsx_and_csv(spec, owner, payload):
    user, org = owner
    _need(user, org, "X1", publish=False, summary=payload)
    rows = need_list_visible_to(user)
    header, line = _xlsx_rows(export_xlsx(spec, rows, user=user))
    assert line[header.index("公开摘要")] == "'" + payload
    header, line = _csv_rows(export_csv(spec, rows, user=user))
    assert line[header.index("公开摘要")] == "'" + payload


def test_tab_and_carriage_return_prefixes_are_neutralised_too():
    assert neutralise("\tcmd") == "'\tcmd" and neutralise("\rcmd") == "'\rcmd"
    assert neutralise("磷酸铁锂 -20℃") == "磷酸铁锂 -20℃"


def test_xlsx_cell_holding_formula_text_is_a_string_not_a_formula(spec, owner):
    user, org = owner
    _need(user, org, "X1", publish=False, summary="=1+1")
    ws = openpyxl.load_workbook(io.BytesIO(export_xlsx(spec, need_list_visible_to(user), user=user))).active
    cell = ws.cell(row=2, column=[c.value for c in ws[1]].index("公开摘要") + 1)
    assert cell.data_type == "s" and cell.value == "'=1+1"


def test_anonymous_export_has_only_visible_items_and_no_confidential_detail(spec, owner):
    user, org = owner
    _need(user, org, "PUB")
    _need(user, org, "REG", visibility=Visibility.REGISTERED)
    _need(user, org, "DRAFT", publish=False)
    visitor = AnonymousUser()
    for include in (False, True):
        content = export_xlsx(spec, need_list_visible_to(visitor), user=visitor, include_confidential=include)
        rows = _xlsx_rows(content)
        titles = [r[rows[0].index("标题")] for r in rows[1:]]
        assert titles == ["正极材料低温性能提升PUB"]
        flat = "".join(str(v) for r in rows for v in r if v)
        assert SECRET not in flat and "0539-8888888" not in flat and "DRAFT" not in flat
        csv_text = export_csv(spec, need_list_visible_to(visitor), user=visitor, include_confidential=include)
        assert SECRET.encode() not in csv_text and b"REG" not in csv_text


def test_owner_export_includes_confidential_detail_only_when_asked(spec, owner):
    user, org = owner
    _need(user, org, "OWN", publish=False)
    assert SECRET not in str(_xlsx_rows(export_xlsx(spec, need_list_visible_to(user), user=user)))
    rows = _xlsx_rows(export_xlsx(spec, need_list_visible_to(user), user=user, include_confidential=True))
    assert rows[1][rows[0].index("保密详情")] == SECRET and rows[1][rows[0].index("外部编号")] == "OWN"
