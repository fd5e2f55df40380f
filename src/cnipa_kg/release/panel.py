"""The research panels of the release (issue 23): the prefecture and the county panel as CSV + CSVW
metadata + codebook, made by :mod:`cnipa_kg.research` from the rows of designations.csv."""

from __future__ import annotations

from collections.abc import Iterator

from ..core.release_files import PANEL_LEVELS
from ..research import formats
from ..research.grid import Options, make_panel
from ..research.held import held_of
from .designations import designation_rows
from .tables import Tables


def panel_files(tables: Tables, *, years: tuple[int, int] | None = None) -> Iterator[tuple[str, bytes]]:
    """(file name, bytes) of each panel file, one panel at a time."""
    held = held_of(designation_rows(tables))
    if not held:
        return
    for level in PANEL_LEVELS:
        panel = make_panel(held, Options(level=level, years=years))
        name = formats.panel_name(panel)
        yield name, formats.to_csv(panel)
        yield f"{name}-metadata.json", formats.to_csvw(panel)
        yield name.removesuffix(".csv") + ".md", formats.to_codebook(panel)
