"""Vietnamese alphabetical order: what sorting the lists by :func:`checkin.i18n.sort_key`
costs against the folded (diacritics-free) order it replaces.

    .venv/bin/python bench/collation.py [names]

Sorts the same invented names (four syllables each) by ``fold`` and by ``sort_key``,
cold (every key computed) and warm (keys cached, as on the second view of a list), and
prints milliseconds per sort and the ratio to ``fold``.
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from checkin.i18n import fold, sort_key  # noqa: E402

SYLLABLES = ("Nguyễn Trần Lê Phạm Huỳnh Hoàng Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý An "
             "Bình Chi Dũng Đức Hà Hải Hạnh Hương Khánh Lan Linh Mai Minh Nam Ngọc Phương "
             "Quang Sơn Thảo Thu Trang Tuấn Việt Xuân Ánh Ân Ưng Ơn").split()


def timed(function, rounds: int) -> float:
    start = time.perf_counter()
    for _ in range(rounds):
        function()
    return (time.perf_counter() - start) / rounds * 1000


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    rng = random.Random(16)
    names = [" ".join(rng.choice(SYLLABLES) for _ in range(4)) for _ in range(n)]
    folded = timed(lambda: sorted(names, key=fold), 10)
    sort_key.cache_clear()
    cold = timed(lambda: sorted(names, key=sort_key), 1)
    warm = timed(lambda: sorted(names, key=sort_key), 10)
    print(f"{n} names: fold {folded:.1f} ms · sort_key cold {cold:.1f} ms "
          f"({cold / folded:.2f}× fold) · warm {warm:.1f} ms ({warm / folded:.2f}× fold)")


if __name__ == "__main__":
    main()
