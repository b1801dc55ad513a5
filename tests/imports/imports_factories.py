"""Workbook builders for the import tests."""

import io

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile


def need_row(key: str, **overrides) -> dict:
    row = {
        "外部编号": key,
        "标题": f"磷酸铁锂正极材料低温性能提升{key}",
        "需求类型": "技术需求",
        "公开摘要": "提升 -20℃ 放电容量保持率",
        "技术难题": "低温下容量衰减明显",
        "技术指标": "-20℃容量保持率|≥85|%；循环寿命|3000|次",
        "预算下限（万元）": 50,
        "预算上限（万元）": 120,
        "研发周期（月）": 18,
        "合作方式": "合作开发、技术转让",
        "所属行业": "C26",
        "所在地区": "371302",
        "可见范围": "公开",
        "匿名发布": "否",
        "联系人": "张工",
        "联系电话": "0539-8888888",
    }
    row.update(overrides)
    return row


def build_xlsx(spec, rows: list[dict], *, headers: list[str] | None = None) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = spec.title
    headers = headers or [c.header for c in spec.columns]
    ws.append(headers)
    for row in rows:
        ws.append([row.get(h) for h in headers])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def upload(content: bytes, name: str = "needs.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name, content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )


def achievement_row(key: str, **overrides) -> dict:
    row = {
        "外部编号": key,
        "标题": f"高镍三元正极材料表面包覆技术{key}",
        "公开摘要": "循环 1000 次容量保持率 ≥ 90%",
        "关键词": "正极材料、包覆",
        "学科": "530",
        "适用行业": "C38、26",
        "技术成熟度（TRL）": 6,
        "所处阶段": "中试",
        "转化方式": "转让、普通许可",
        "报价（万元）": 300,
        "所在地区": "370102",
        "知识产权": "发明专利|ZL202310123456.6|一种正极材料包覆方法|已授权",
    }
    row.update(overrides)
    return row
