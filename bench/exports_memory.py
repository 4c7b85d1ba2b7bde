"""Measure the exports' peak Python memory: a large export beside a small one, in one run.

.venv/bin/python bench/exports_memory.py [--rows 100000]

XLSX: ``write_xlsx`` writes ``--rows`` / 12.5 rows (8,000 by default) to a temporary file, as
``xlsx_response`` does, beside 1,000 rows; the large file may take at most 50 kB more at its
peak than the small one. CSV: ``stream_csv`` streams ``--rows`` rows (over 3 MB by default)
beside 1,000 rows; its peak may be at most 200 kB, however large the file. Peaks are
measured with tracemalloc (Python allocations only). Exits 1 if either bound is passed.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import tracemalloc
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from partnership.core.exports import stream_csv, write_xlsx

HEADER = ["Note", "Count", "Night", "Occurred at (UK time)"]
MOMENT = datetime(2026, 7, 1, 23, 30, tzinfo=UTC)
FLOOR_ROWS = 1_000
XLSX_GROWTH_LIMIT = 50_000
CSV_PEAK_LIMIT = 200_000


def sheet_rows(count: int) -> Iterator[list[Any]]:
    for number in range(count):
        yield [number, f"Venue {number % 200}", "=cmd" if number % 7 == 0 else "text", MOMENT]


def csv_rows(count: int) -> Iterator[tuple[int, str, datetime]]:
    for number in range(count):
        yield (number, f"Venue {number % 200}", MOMENT)


def peak(work: Callable[[], int]) -> tuple[int, int]:
    """``work``'s peak traced memory, and what it returned (the bytes it wrote)."""
    tracemalloc.start()
    try:
        size = work()
        return tracemalloc.get_traced_memory()[1], size
    finally:
        tracemalloc.stop()


def xlsx_peak(count: int) -> tuple[int, int]:
    with tempfile.TemporaryFile() as target:

        def work() -> int:
            write_xlsx(target, [("Rows", HEADER, sheet_rows(count))])
            return target.tell()

        return peak(work)


def csv_peak(count: int) -> tuple[int, int]:
    def work() -> int:
        lines = stream_csv(["Id", "Venue", "Occurred at (UK time)"], csv_rows(count))
        return sum(len(line) for line in lines)

    return peak(work)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="CSV rows (XLSX: / 12.5)")
    rows = parser.parse_args().rows
    xlsx_rows = int(rows / 12.5)
    failed = False
    print(f"{'export':<6} {'rows':>9} {'bytes':>11} {'peak':>11}")
    small_peak, small_size = xlsx_peak(FLOOR_ROWS)
    large_peak, large_size = xlsx_peak(xlsx_rows)
    print(f"{'xlsx':<6} {FLOOR_ROWS:>9,} {small_size:>11,} {small_peak:>11,}  (floor)")
    print(f"{'xlsx':<6} {xlsx_rows:>9,} {large_size:>11,} {large_peak:>11,}")
    growth = large_peak - small_peak
    if growth >= XLSX_GROWTH_LIMIT:
        print(f"FAIL: xlsx peak grew by {growth:,} bytes (limit {XLSX_GROWTH_LIMIT:,})")
        failed = True
    small_peak, small_size = csv_peak(FLOOR_ROWS)
    large_peak, large_size = csv_peak(rows)
    print(f"{'csv':<6} {FLOOR_ROWS:>9,} {small_size:>11,} {small_peak:>11,}  (floor)")
    print(f"{'csv':<6} {rows:>9,} {large_size:>11,} {large_peak:>11,}")
    if large_peak >= CSV_PEAK_LIMIT:
        print(f"FAIL: csv peak {large_peak:,} bytes (limit {CSV_PEAK_LIMIT:,})")
        failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
