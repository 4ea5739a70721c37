"""What an operator should not have to read: loading the code location prints no Dagster beta
notices, and pdfminer's font warnings (text it reads anyway) stay off stderr."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

from tests.conftest import SAMPLE_INBOX

ROOT = Path(__file__).parents[1]


def test_loading_the_definitions_prints_no_warning():
    result = subprocess.run([sys.executable, "-W", "default", "-c", "import pipeline.definitions"], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Warning" not in result.stderr, result.stderr


def test_pdfminer_font_warnings_stay_off_stderr():
    from pipeline.core.pdf_layout import read_pdf

    logging.getLogger("pdfminer.pdffont").warning("Could not get FontBBox from font descriptor")  # as pdfminer does
    assert not logging.getLogger("pdfminer.pdffont").isEnabledFor(logging.WARNING)
    assert logging.getLogger("pdfminer.pdffont").isEnabledFor(logging.ERROR)
    read_pdf(next(SAMPLE_INBOX.glob("*.pdf")))  # reading does not turn them back on
    assert not logging.getLogger("pdfminer").isEnabledFor(logging.WARNING)


def test_the_charts_use_the_bundled_japanese_font():
    from pipeline.corpus_report import chart_font

    assert chart_font() == "IPAexGothic"
