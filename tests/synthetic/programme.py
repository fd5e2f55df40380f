"""Synthetic designation documents of the programme 知识产权强国建设试点示范 and of another programme,
in the forms the issuer publishes, for the tests of the programme model and the document reader.

Everything here is SYNTHETIC: the documents are made by this project (document numbers 9xx are not
the issuer's), following the layout and wording of the real documents described in the public record
(the 2024 batch with four annexes, a county and park notice, an inline list of places in the body,
a 公示 of proposals with a 类别/序号/名称 table). Only the place names and their codes are real.
"""

from __future__ import annotations

from pathlib import Path

SIGNATURE = "国家知识产权局"

# the 2024 batch: 丰台区 was a pilot in the real 2022 notice and is a demonstration city here (an upgrade)
BATCH_2024 = {
    "number": "国知发运字〔2024〕902号",
    "title": "国家知识产权局关于确定国家知识产权强市建设试点示范城市、强县建设试点示范县的通知",
    "date": "2024年1月10日",
    "annexes": [
        ("国家知识产权强市建设示范城市", "城市（城区）", [("北京", "丰台区"), ("河北", "唐山市"), ("河南", "洛阳市")]),
        ("国家知识产权强市建设试点城市", "城市（城区）", [("四川", "绵阳市"), ("浙江", "慈溪市"), ("福建", "晋江市")]),
        ("国家知识产权强县建设示范县", "县（市、区）", [("江苏", "宜兴市"), ("江苏", "昆山市"), ("湖南", "长沙县")]),
        ("国家知识产权强县建设试点县", "县（市、区）", [("浙江", "义乌市")]),
    ],
    "period": "自2024年1月至2026年12月",
}

COUNTIES_AND_PARKS_2022 = {
    "number": "国知发运字〔2022〕935号",
    "title": "国家知识产权局关于确定国家知识产权强县建设试点示范县和试点示范园区的通知",
    "date": "2022年8月20日",
    "annexes": [
        ("国家知识产权强县建设试点县", "县（市、区）", [("江苏", "宜兴市"), ("浙江", "义乌市")]),
        ("国家知识产权强国建设示范园区", "园区", [("江苏", "苏州工业园区"), ("北京", "中关村科技园区")]),
    ],
    "period": "自2022年8月至2025年7月",
}


def notice(doc: dict, *, web: bool = False) -> str:
    """A notice in the plain layout (one table row a line), or as a saved web page's text (``web``:
    the title above the 文号, site lines before and after, no letterhead)."""
    declared = "，".join(
        f"{rows[0][0]}{'省' if rows[0][0] not in ('北京', '天津', '上海', '重庆') else '市'}{rows[0][1]}等{len(rows)}个"
        f"{what}为{label}（名单见附件{i}）" for i, (label, what, rows) in enumerate(doc["annexes"], 1))
    head = ([doc["title"], "发布时间：" + doc["date"], doc["number"]] if web else [doc["number"], "", doc["title"]])
    lines = (["当前位置：首页 > 政务 > 通知公告", "【大 中 小】"] if web else []) + head + [
        "",
        "各省、自治区、直辖市和新疆生产建设兵团知识产权局：",
        f"经地方申报推荐、材料审查、专家评审等程序，确定{declared}，试点示范时限{doc['period']}。",
        "特此通知。",
        "附件：" + "\n".join(f"{i}.{label}名单" for i, (label, _w, _r) in enumerate(doc["annexes"], 1)),
        SIGNATURE,
        doc["date"],
        "（此件公开发布）",
    ]
    for i, (label, what, rows) in enumerate(doc["annexes"], 1):
        lines += [f"附件{i}", f"{label}名单", f"序号\t省份\t{what}"]
        lines += [f"{serial}\t{province}\t{name}" for serial, (province, name) in enumerate(rows, 1)]
    if web:
        lines += ["分享到：", "打印本页 关闭窗口"]
    return "\n".join(lines) + "\n"


def inline_notice() -> str:
    """Another programme, its places listed in one sentence of the body, no annex, no period."""
    return "\n".join([
        "国知发保字〔2024〕904号",
        "国家知识产权局关于确定第二批国家知识产权保护示范区建设城市（地区）的通知",
        "各省、自治区、直辖市和新疆生产建设兵团知识产权局：",
        "为深入贯彻落实党中央、国务院关于全面加强知识产权保护工作的决策部署，经地方申报、评审等程序，",
        "现确定北京市海淀区、河北省石家庄市和陕西省西安市为第二批国家知识产权保护示范区建设城市（地区）。",
        "特此通知。",
        SIGNATURE,
        "2024年3月1日",
    ]) + "\n"


def proposal() -> str:
    """A 公示 of the proposed strong-county demonstration list: no 文号, a 公示时间, a 类别/序号/名称
    table whose category cell spans rows and whose names carry their province."""
    return "\n".join([
        "关于2023年度国家知识产权强县建设示范县拟确定名单的公示",
        "根据《国家知识产权局办公室关于组织开展2023年度国家知识产权强市建设试点示范城市、强县建设试点示范县遴选工作的通知》要求，"
        "经地方申报推荐、材料审查、专家评审等程序，拟确定以下县（市、区）为国家知识产权强县建设示范县，现予以公示。",
        "公示时间：2023年12月20日至12月26日。",
        "特此公示。",
        "附件：国家知识产权强县建设示范县拟确定名单",
        "国家知识产权局办公室",
        "2023年12月20日",
        "附件1",
        "国家知识产权强县建设示范县拟确定名单",
        "类别\t序号\t名称",
        "县级市\t1\t江苏省宜兴市",
        "2\t江苏省昆山市",
        "县\t3\t湖南省长沙县",
    ]) + "\n"


def write_corpus(folder: Path, *, web: bool = False) -> list[Path]:
    """The synthetic documents as files in ``folder`` (the real 2022 notice is not among them)."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "batch-2024.txt": notice(BATCH_2024, web=web),
        "counties-parks-2022.txt": notice(COUNTIES_AND_PARKS_2022),
        "protection-zones-2024.txt": inline_notice(),
        "proposal-2023.txt": proposal(),
    }
    out = []
    for name, text in files.items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        out.append(path)
    return out
