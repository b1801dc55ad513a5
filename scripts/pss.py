#!/usr/bin/env python3
"""Memory per process as PSS (proportional set size: each shared page split among its users).

    python scripts/pss.py <pid> [<pid> ...]      # these processes and their children (gunicorn master)
    python scripts/pss.py --json <pid>           # one JSON object, for benchmarks

RSS counts a memory-mapped index once per worker that touched it; PSS divides those shared pages
among the workers, so the PSS of all workers adds up to what the machine really spends. Reads
/proc/<pid>/smaps_rollup (Linux ≥ 4.14); values in MiB.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

FIELDS = {
    "Rss": "rss",
    "Pss": "pss",
    "Shared_Clean": "shared_clean",
    "Shared_Dirty": "shared_dirty",
    "Private_Clean": "private_clean",
    "Private_Dirty": "private_dirty",
    "Swap": "swap",
}


def smaps_rollup(pid: int) -> dict[str, float]:
    """The rollup of one process in MiB: rss, pss, shared/private clean/dirty, swap."""
    out: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        name, _sep, rest = line.partition(":")
        if name in FIELDS:
            out[FIELDS[name]] = round(int(rest.split()[0]) / 1024, 1)
    return out


def children(pid: int) -> list[int]:
    """Direct children, from /proc/*/stat (field 4 is the parent pid)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return sorted(found)


def report(pids: list[int]) -> dict[str, object]:
    processes = []
    for pid in pids:
        for p in [pid, *children(pid)]:
            try:
                cmd = (
                    Path(f"/proc/{p}/cmdline")
                    .read_bytes()
                    .replace(b"\0", b" ")
                    .decode(errors="replace")
                    .strip()
                )
                processes.append(
                    {"pid": p, "parent": pid if p != pid else None, "cmd": cmd[:120], **smaps_rollup(p)}
                )
            except OSError:
                continue
    return {
        "processes": processes,
        "total_pss_mib": round(sum(float(p.get("pss", 0)) for p in processes), 1),
        "total_rss_mib": round(sum(float(p.get("rss", 0)) for p in processes), 1),
    }


def main(argv: list[str]) -> int:
    as_json = "--json" in argv
    pids = [int(a) for a in argv if a != "--json"]
    if not pids:
        print(__doc__, file=sys.stderr)
        return 2
    data = report(pids)
    if as_json:
        print(json.dumps(data, ensure_ascii=False))
        return 0
    print(f"{'pid':>8} {'parent':>8} {'PSS MiB':>9} {'RSS MiB':>9} {'private':>9}  command")
    for p in data["processes"]:  # type: ignore[union-attr]
        private = float(p.get("private_clean", 0)) + float(p.get("private_dirty", 0))
        print(
            f"{p['pid']:>8} {p['parent'] or '':>8} {p.get('pss', 0):>9} {p.get('rss', 0):>9} {private:>9.1f}  {p['cmd']}"
        )
    print(f"total PSS {data['total_pss_mib']} MiB (RSS would claim {data['total_rss_mib']} MiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
