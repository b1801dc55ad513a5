"""Normalising codes as people type them."""

import re

_SECTION_PREFIXED = re.compile(r"^[A-Ta-t](\d{2,4})$")


def normalize_industry_code(code: str) -> str:
    """GB/T 4754 codes are stored without the section letter: "C26", "c26" and "26" all mean 26; "c" means C."""
    code = (code or "").strip().replace(" ", "")
    match = _SECTION_PREFIXED.match(code)
    if match:
        return match.group(1)
    return code.upper() if code.isalpha() else code
