"""CI step: pip-audit over requirements.lock. Fails on any known vulnerability.

pip-audit asks PyPI's JSON API (or OSV) about every pinned package. When that service cannot be
reached (an offline runner, a mirror without the JSON API) every package is reported as "skipped":
then this says so plainly and succeeds, unless PIP_AUDIT_REQUIRED=true, so that CI without the
service is not red for a reason that is not a vulnerability, and CI with it is strict.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    command = [
        str(ROOT / ".venv" / "bin" / "pip-audit"),
        "--requirement",
        str(ROOT / "requirements.lock"),
        "--format",
        "json",
        "--progress-spinner",
        "off",
        "--vulnerability-service",
        os.environ.get("PIP_AUDIT_SERVICE", "pypi"),
    ]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=600)  # noqa: S603
    except (OSError, subprocess.TimeoutExpired) as exc:
        return _unavailable(f"pip-audit could not run: {exc}")
    try:
        report = json.loads(result.stdout or "{}")
    except json.JSONDecodeError:
        return _unavailable(
            f"pip-audit gave no report (exit {result.returncode}): {result.stderr.strip()[-500:]}"
        )
    deps = report.get("dependencies", [])
    vulnerable = [d for d in deps if d.get("vulns")]
    skipped = [d for d in deps if d.get("skip_reason")]
    for dep in vulnerable:
        for vuln in dep["vulns"]:
            fixes = ", ".join(vuln.get("fix_versions") or []) or "no fix yet"
            print(f"VULNERABLE {dep['name']} {dep['version']}: {vuln['id']} (fixed in: {fixes})")
    if vulnerable:
        return 1
    if not deps or len(skipped) == len(deps):
        return _unavailable("the vulnerability service answered for none of the packages")
    print(
        f"pip-audit: {len(deps) - len(skipped)} packages audited, no known vulnerabilities"
        + (f" ({len(skipped)} not found on the service)" if skipped else "")
    )
    return 0


def _unavailable(reason: str) -> int:
    print(f"pip-audit: SKIPPED, {reason}.")
    if os.environ.get("PIP_AUDIT_REQUIRED", "").lower() in {"1", "true", "yes"}:
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
