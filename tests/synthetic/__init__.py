"""Synthetic fixtures for tests/test_sources.py: PDF, HTML and traditional-Chinese copies of the real
notice data/notices/notice-2022-33.txt, and broken files, made by the tests at run time (no binary is
committed). Everything these modules write is synthetic, derived from the real notice's text."""
