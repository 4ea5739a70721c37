"""The floor: what pdfplumber and SudachiPy alone cost on an inbox. Reads every PDF with
pdfplumber (extract_text per page) and every text file as UTF-8, then tokenizes every paragraph
with SudachiPy (mode C) taking surface, normalized form, dictionary form, reading and POS.
No Dagster, no validation, no Parquet.

usage: python -m benchmarks.floor INBOX
"""

from __future__ import annotations

import sys
import time
from pathlib import Path


def read(path: Path) -> str:
    if path.suffix.lower() == ".pdf":
        import pdfplumber

        with pdfplumber.open(path) as pdf:
            return "\n".join(page.extract_text() or "" for page in pdf.pages)
    return path.read_text(encoding="utf-8")


def main(inbox: Path) -> dict:
    from sudachipy import Dictionary, SplitMode

    started = time.perf_counter()
    tokenizer = Dictionary(dict="core").tokenizer(mode=SplitMode.C)
    files = sorted(p for p in inbox.iterdir() if p.is_file() and not p.name.startswith("."))
    chars = tokens = 0
    for path in files:
        text = read(path)
        chars += len(text)
        for paragraph in text.split("\n"):
            if paragraph.strip():
                for m in tokenizer.tokenize(paragraph):
                    (m.surface(), m.normalized_form(), m.dictionary_form(), m.reading_form(), m.part_of_speech())
                    tokens += 1
    return {"files": len(files), "chars": chars, "tokens": tokens, "seconds": time.perf_counter() - started}


if __name__ == "__main__":
    print(main(Path(sys.argv[1])))
