"""The one vocabulary of programmes, tiers, division levels and evidence grades (issue 23).

Each term has one spelling per use, all here: ``key`` is how records and reference tables write it
(``strong-city``, ``demonstration-building``); ``local`` its ``ckg:`` local name in the graph
(``strongCityProgramme``); ``column`` the stem of CSV/panel column names and the value CSVs write
(``city``, ``demo``: short, so that ``parent_designated_city_demo`` fits Stata's 32 characters);
``en`` and ``zh`` its labels. ``core.vocab``'s concept maps, the CSVs, the panel, its codebook and
the pages' labels all read this table.

>>> programme("ipDemonstrationCityProgramme").column, tier("demonstration-building").local
('ipdc', 'demonstrationBuilding')
>>> division_level("district").column, division_level("countyLevel"), division_level("districtLevel").en
('county', None, 'county level')
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    key: str  #: records' and reference tables' spelling
    local: str  #: the ckg: local name
    column: str  #: column stem and CSV value
    en: str
    zh: str


PROGRAMMES = (  # labels: the ontology's skos:prefLabel (a test keeps them equal)
    Term("strong-city", "strongCityProgramme", "city", "IP-strong city building", "知识产权强市建设"),
    Term("strong-county", "strongCountyProgramme", "county", "IP-strong county building", "知识产权强县建设"),
    Term("park", "parkProgramme", "park", "IP pilot and demonstration parks", "知识产权强国建设试点示范园区"),
    Term("protection-zone", "protectionZoneProgramme", "pz", "IP protection demonstration zone building", "国家知识产权保护示范区建设"),
    Term("ip-demonstration-city", "ipDemonstrationCityProgramme", "ipdc", "national IP demonstration cities", "国家知识产权示范城市"),
)
TIERS = (
    Term("demonstration", "demonstration", "demo", "demonstration", "示范"),
    Term("pilot", "pilot", "pilot", "pilot", "试点"),
    Term("demonstration-building", "demonstrationBuilding", "build", "demonstration building", "示范创建"),
    Term("building", "building", "bldg", "building", "建设"),
)
#: division levels: the code's shape says which (``....00`` prefecture, else county level: 市辖区 are county level)
DIVISION_LEVELS = (
    Term("province", "provinceLevel", "province", "province level", "省级"),
    Term("prefecture", "prefectureLevel", "prefecture", "prefecture level", "地级"),
    Term("district", "districtLevel", "county", "county level", "县级"),
)
EVIDENCE_GRADES = (
    Term("text", "evidenceIssuerText", "text", "read from the issuer's text", "读自发文机关文本"),
    Term("roster", "evidenceRoster", "roster", "from a roster of facts", "取自事实名册"),
)


def _find(terms: tuple[Term, ...], spelling: str) -> Term | None:
    return next((t for t in terms if spelling in (t.key, t.local, t.column)), None)


def programme(spelling: str) -> Term | None:
    """The programme spelt ``spelling`` in any of its spellings."""
    return _find(PROGRAMMES, spelling)


def tier(spelling: str) -> Term | None:
    return _find(TIERS, spelling)


def division_level(spelling: str) -> Term | None:
    return _find(DIVISION_LEVELS, spelling)


def evidence_grade(spelling: str) -> Term | None:
    return _find(EVIDENCE_GRADES, spelling)
