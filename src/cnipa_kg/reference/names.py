"""Division names in English and in Hanyu Pinyin with tone marks.

Rules: the name splits into a proper part and an administrative suffix
(海淀 + 区, 昌吉 + 回族 + 自治州). Pinyin comes from ``pypinyin`` (its phrase
dictionary settles most polyphones: 长春 Chángchūn, 闵行 Mǐnháng), written as the
proper part with apostrophes before a, o, e syllables (Xī'ān), then the suffix
(Hǎidiàn Qū). English is the proper part without tones (Haidian District);
where the conventional English name is not plain pinyin (Harbin, Hohhot, Urumqi,
Karamay) the exception table ``data/reference/division-names-en.csv`` wins, and
``division-names-pinyin.csv`` corrects pinyin where pypinyin misreads a polyphone.

>>> english_name("海淀区", level="district"), pinyin_name("海淀区")
('Haidian District', 'Hǎidiàn Qū')
>>> english_name("西安市", level="prefecture"), pinyin_name("西安市")
("Xi'an", "Xī'ān Shì")
>>> english_name("昌吉回族自治州", level="prefecture")
'Changji Hui Autonomous Prefecture'
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from .csvfiles import pairs
from .divisions import code_table

# longest first; (suffix, English, pinyin)
_SUFFIXES = (
    ("特别行政区", "Special Administrative Region", "Tèbié Xíngzhèngqū"),
    ("自治区", "Autonomous Region", "Zìzhìqū"),
    ("自治州", "Autonomous Prefecture", "Zìzhìzhōu"),
    ("自治县", "Autonomous County", "Zìzhìxiàn"),
    ("自治旗", "Autonomous Banner", "Zìzhìqí"),
    ("新区", "New Area", "Xīnqū"),
    ("地区", "Prefecture", "Dìqū"),
    ("林区", "Forestry District", "Línqū"),
    ("特区", "Special District", "Tèqū"),
    ("省", "", "Shěng"),
    ("市", "", "Shì"),
    ("区", "District", "Qū"),
    ("县", "County", "Xiàn"),
    ("盟", "League", "Méng"),
    ("旗", "Banner", "Qí"),
)


@cache
def _en_exceptions() -> dict[str, str]:
    return pairs("division-names-en.csv")


@cache
def _pinyin_exceptions() -> dict[str, str]:
    return pairs("division-names-pinyin.csv")


@cache
def _ethnic_en() -> dict[str, str]:
    return pairs("ethnic-groups-en.csv")


@cache
def _ethnic_re() -> re.Pattern:
    names = sorted(_ethnic_en(), key=len, reverse=True)
    return re.compile("(?:" + "|".join(map(re.escape, names)) + ")")


def _ethnic_groups(text: str) -> list[str]:
    return _ethnic_re().findall(text)


@cache
def _codes_by_name() -> dict[str, list[str]]:
    index: dict[str, list[str]] = {}
    for code, division in code_table().by_code.items():
        index.setdefault(division.name, []).append(code)
    return index


def _unique_code(name: str) -> str | None:
    codes = _codes_by_name().get(name, [])
    return codes[0] if len(codes) == 1 else None


def split_name(name: str) -> tuple[str, str, str]:
    """(proper part, ethnic groups, suffix).

    >>> split_name("昌吉回族自治州"), split_name("浦东新区"), split_name("北京")
    (('昌吉', '回族', '自治州'), ('浦东', '', '新区'), ('北京', '', ''))
    """
    for suffix, _, _ in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            core = name[: -len(suffix)]
            if suffix.startswith("自治"):
                # the ethnic groups are the longest run of known group names that ends the proper part
                groups = ""
                while m := re.search("(?:" + _ethnic_re().pattern + ")$", core[: len(core) - len(groups)]):
                    if m.start() == 0:
                        break
                    groups = m.group(0) + groups
                return core[: len(core) - len(groups)], groups, suffix
            return core, "", suffix
    return name, "", ""


def _syllables(text: str, *, tones: bool) -> list[str]:
    from pypinyin import Style, lazy_pinyin

    return lazy_pinyin(text, style=Style.TONE if tones else Style.NORMAL, errors="ignore", neutral_tone_with_five=False)


def _join(syllables: list[str]) -> str:
    """Join pinyin syllables, with an apostrophe before a, o, e (GB/T 16159)."""
    out = ""
    for s in syllables:
        bare = unicodedata.normalize("NFD", s)[:1].lower()
        if out and bare in "aoe":
            out += "'"
        out += s
    return out[:1].upper() + out[1:]


def _proper_pinyin(core: str) -> str:
    return _pinyin_exceptions().get(core) or _join(_syllables(core, tones=True))


def _untoned(pinyin: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", pinyin) if not unicodedata.combining(c))


def pinyin_name(name: str) -> str:
    """Hanyu Pinyin with tone marks: proper part, then ethnic groups and suffix as words."""
    core, groups, suffix = split_name(name)
    words = [_proper_pinyin(core)]
    words += [_proper_pinyin(g) for g in _ethnic_groups(groups)]
    if suffix:
        words.append(dict((s, p) for s, _, p in _SUFFIXES)[suffix])
    return " ".join(w for w in words if w)


def _ethnic_english(groups: str) -> str:
    names = [_ethnic_en()[g] for g in _ethnic_groups(groups)]
    return " and ".join(names) if len(names) > 1 else (names[0] if names else "")


def english_name(name: str, *, level: str, adcode: str | None = None) -> str:
    """The conventional English name: exception table first, then pinyin + suffix.

    Without ``adcode``, a name that is unique in the code table (哈尔滨市, 陕西省) is looked up
    by its code, so the exception table still applies.
    """
    table = _en_exceptions()
    if adcode is None:
        adcode = _unique_code(name)
    for key in (adcode, name):
        if key and key in table:
            return table[key]
    core, groups, suffix = split_name(name)
    english = dict((s, e) for s, e, _ in _SUFFIXES)[suffix] if suffix else ""
    if level in ("province", "prefecture") and suffix in ("省", "市", "自治区", "特别行政区"):
        english = ""  # provinces and prefecture-level cities go by their proper name: Hebei, Harbin
    words = [table.get(core) or _untoned(_proper_pinyin(core))]
    if groups:
        words.append(_ethnic_english(groups))
    if english:
        words.append(english)
    return " ".join(w for w in words if w)
