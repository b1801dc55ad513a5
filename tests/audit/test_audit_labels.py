def test_every_audit_code_written_in_the_source_reads_in_words():
    """Each literal action code of a service (``action="app.object.verb"``) has its object and verb in the
    tables (or the whole code), so the operator's log and its filter never show a raw code."""
    import re
    from pathlib import Path

    from techmarket.audit.labels import OBJECTS, VERBS

    root = Path(__file__).resolve().parents[2] / "techmarket"
    pattern = re.compile(r'action="([a-z_]+\.[a-z_]+\.[a-z_]+)"')
    codes = {
        code for path in root.rglob("*.py") for code in pattern.findall(path.read_text(encoding="utf-8"))
    }
    assert len(codes) > 50
    missing = sorted(
        code
        for code in codes
        if code not in OBJECTS
        and not (code.rpartition(".")[0] in OBJECTS and code.rpartition(".")[2] in VERBS)
    )
    assert not missing, missing
