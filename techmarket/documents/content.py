"""What an uploaded file really is, decided by its first bytes (the ``filetype`` library), never its name."""

from typing import IO, Any

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from techmarket.core.text import word_list

# Accepted kinds: the extension filetype reports → the extensions a person may give the file.
ALLOWED: dict[str, tuple[str, ...]] = {
    "pdf": ("pdf",),
    "docx": ("docx",),
    "xlsx": ("xlsx",),
    "pptx": ("pptx",),
    "png": ("png",),
    "jpg": ("jpg", "jpeg"),
    "zip": ("zip",),
}
KIND_LABELS = {
    "pdf": "PDF",
    "docx": "Word",
    "xlsx": "Excel",
    "pptx": "PowerPoint",
    "png": "PNG",
    "jpg": "JPEG",
    "zip": "ZIP",
    "exe": _("可执行程序"),
    "elf": _("可执行程序"),
}
HEAD_BYTES = 8192


def _extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def check_upload(upload: Any) -> tuple[str, str]:
    """(kind, mime type) of an accepted upload; ValidationError saying what was wrong otherwise."""
    limit = settings.DOCUMENTS_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            {
                "file": _("文件大小 %(s)s 超过上限 %(m)s，请压缩或拆分后再上传。")
                % {"s": filesizeformat(upload.size), "m": filesizeformat(limit)}
            }
        )
    if upload.size == 0:
        raise ValidationError({"file": _("文件是空的，请重新选择。")})
    head = _read_head(upload)
    guessed = filetype.guess(head)
    allowed = word_list(KIND_LABELS[k] for k in ALLOWED)
    if guessed is None or guessed.extension not in ALLOWED:
        found = KIND_LABELS.get(guessed.extension, guessed.extension) if guessed else _("无法识别的格式")
        raise ValidationError(
            {
                "file": _("文件内容是“%(f)s”，不是允许的格式（%(a)s）。系统按文件内容判断，改扩展名无效。")
                % {"f": found, "a": allowed}
            }
        )
    ext = _extension(upload.name)
    if ext not in ALLOWED[guessed.extension]:
        raise ValidationError(
            {
                "file": _("文件内容是 %(k)s，但文件名的扩展名是 .%(e)s，请改正扩展名后再上传。")
                % {"k": KIND_LABELS[guessed.extension], "e": ext or _("（无）")}
            }
        )
    return guessed.extension, guessed.mime


def _read_head(upload: IO[bytes] | Any) -> bytes:
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    return bytes(head)
