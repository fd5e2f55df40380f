#!/usr/bin/env python3
"""Write N synthetic notices of the 国知发运字〔2022〕33号 template into OUT (deterministic, seeded).

Each notice has its own number, dates and period, and two annexes whose rows are drawn from
the real division code table (prefecture-level cities and districts, all provinces), in one
of two layouts: the PDF-extracted one (blank lines, province cells spanning rows on their
own line, page breaks repeating the table header, spaces inside numbers) or the plain one
(one row per line, tab or space separated).

    python scripts/synth_corpus.py 100 /tmp/corpus [--seed 7] [--rows 110]
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from cnipa_kg.reference import history  # noqa: E402
from cnipa_kg.reference.divisions import code_table  # noqa: E402
from cnipa_kg.reference.provinces import provinces  # noqa: E402

SUFFIXES = ("市", "区", "县", "州", "盟", "旗")
SERIES = ("国知发运字", "国知发保字", "国知发办字", "国知办发运字")


FIRST_YEAR = 2015  #: the notices are dated 2015-2024: their names must be those of those years


def candidates() -> dict[str, list[str]]:
    """province short name -> names that resolve to exactly one division in that province, on every date of
    the notices (divisions as they were: a unit made or renamed since 2015 is left out)."""
    table, before = code_table(), history.state_after(FIRST_YEAR - 1)
    by_province: dict[str, list[str]] = defaultdict(list)
    short = {p.prefix: p.short for p in provinces()}
    for (prefix, name), found in sorted(table.by_prefix_name.items()):
        if prefix in short and len(found) == 1 and found[0].level != "province" and name.endswith(SUFFIXES):
            then = before.by_prefix_name.get((prefix, name), ())
            if len(then) == 1 and then[0].code == found[0].code:
                by_province[short[prefix]].append(name)
    return by_province


def notice_text(i: int, rng: random.Random, pool: dict[str, list[str]], *, rows: int, layout: str) -> str:
    series = SERIES[i % len(SERIES)]
    year = FIRST_YEAR + i % 10
    number = 10 + i
    month, day = rng.randint(1, 12), rng.randint(1, 28)
    start_year, start_month = year, rng.randint(1, 12)
    end_year, end_month = start_year + rng.randint(1, 4), rng.randint(1, 12)
    n_demo = rng.randint(max(1, rows // 4), max(1, rows // 2))
    n_pilot = max(1, rows - n_demo)
    provinces_used = sorted(pool)
    chosen: list[tuple[str, str]] = []
    seen = set()
    while len(chosen) < n_demo + n_pilot:
        prov = rng.choice(provinces_used)
        name = rng.choice(pool[prov])
        if (prov, name) not in seen:
            seen.add((prov, name))
            chosen.append((prov, name))
    demo = sorted(chosen[:n_demo], key=lambda x: provinces_used.index(x[0]))
    pilot = sorted(chosen[n_demo:], key=lambda x: provinces_used.index(x[0]))
    first_demo = f"{demo[0][0]}{demo[0][1]}"
    first_pilot = f"{pilot[0][0]}{pilot[0][1]}"
    pdf = layout == "pdf"
    sp = " " if pdf else ""
    gap = "\n\n" if pdf else "\n"
    head = [
        f" {series}〔{year}〕{number}号",
        "国家知识产权局关于确定国家知识产权",
        "强市建设试点示范城市的通知",
        "各省、自治区、直辖市和新疆生产建设兵团知识产权局，四川省",
        "知识产权服务促进中心，各地方有关中心：",
        "按照《国家知识产权局办公室关于面向城市、县域、园区开",
        "展知识产权强国建设试点示范工作的通知》（国知办函运字〔2021〕",
        "1197号）要求，经地方申报推荐、材料审查、专家评审等程序，",
        f"确定{first_demo}等{sp}{n_demo}个城市（城区）为国家知识产权强市建",
        f"设示范城市（名单见附件{sp}1），{first_pilot}等{sp}{n_pilot}个城市（城区）",
        f"为国家知识产权强市建设试点城市（名单见附件{sp}2），试点示范",
        f"时限自{sp}{start_year}年{sp}{start_month}月至{sp}{end_year}年{sp}{end_month}月。",
    ]
    if pdf:
        head.append("国家知识产权局文件")
    head += [
        " 各省（自治区、直辖市）知识产权局要加强工作指导和资源投入。",
        "有关城市要在省（自治区、直辖市）知识产权局指导下优化",
        f"完善试点示范工作方案，明确任务分工，自批复之日起{sp}2个月内",
        "由城市人民政府印发，并报省（自治区、直辖市）知识产权局和",
        "国家知识产权局运用促进司备案。",
        "特此通知。",
        "附件：1.国家知识产权强市建设示范城市名单",
        " 2.国家知识产权强市建设试点城市名单",
        "国家知识产权局",
        f"{year}年{sp}{month}月{sp}{day}日",
        "（此件公开发布）",
    ]
    parts = [gap.join(head)]
    for n, (title, rows_) in enumerate((("国家知识产权强市建设示范城市名单", demo), ("国家知识产权强市建设试点城市名单", pilot)), start=1):
        parts.append(table(n, title, rows_, rng, pdf=pdf))
    parts.append(f" 国家知识产权局办公室 {year}年{sp}{month}月{sp}{day}日印发{gap}抄送：各有关城市（城区）人民政府。\n")
    return "\n".join(parts)


def table(n: int, title: str, rows: list[tuple[str, str]], rng: random.Random, *, pdf: bool) -> str:
    header = "序号 省份 城市（城区）" if pdf else "序号\t省份\t城市（城区）"
    lines = [f" 附件 {n}" if pdf else f"附件 {n}", "", title, "", header, ""] if pdf else [f"附件 {n}", title, header]
    previous = None
    for serial, (prov, name) in enumerate(rows, start=1):
        if pdf and serial > 1 and serial % 18 == 0:
            lines += [" " + header, ""]
            previous = None  # a merged cell does not cross a page break
        if not pdf:
            sep = "\t" if n == 1 else "  "
            lines.append(f"{serial}{sep}{prov}{sep}{name}")
            continue
        spans = prov != previous and serial < len(rows) and rows[serial][0] == prov
        if prov == previous:
            lines += [f"{serial} {name}", ""]
        elif spans:
            lines += [str(serial)] + ([""] if rng.random() < 0.5 else []) + [prov, "", name, ""]
        else:
            lines += [f"{serial} {prov} {name}", ""]
        previous = prov
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, help="number of notices")
    parser.add_argument("out", type=Path, help="output directory")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rows", type=int, default=110, help="designations per notice (both annexes)")
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    pool = candidates()
    args.out.mkdir(parents=True, exist_ok=True)
    for i in range(args.n):
        layout = "pdf" if i % 2 == 0 else "plain"
        text = notice_text(i, rng, pool, rows=args.rows, layout=layout)
        (args.out / f"notice-{i:05d}.txt").write_text(text, encoding="utf-8")
    print(f"wrote {args.n} notices to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
