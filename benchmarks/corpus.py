"""A benchmark corpus: N distinct statements, half PDF (several pages, running header, page
numbers; rendered like the sample PDFs) and half text, made from the seed and gold statements with
paragraphs reordered, dates moved and the meeting numbered, so every file has new bytes.

Deterministic: the same N gives the same files (doc ids come from bytes).

usage: python -m benchmarks.corpus N OUT_DIR
"""

from __future__ import annotations

import importlib.util
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted((ROOT / "tests" / "fixtures" / "seeds").glob("*.txt")) + sorted((ROOT / "tests" / "gold" / "statements").glob("*.txt"))
_DATE = re.compile(r"(20[0-9]{2})年([0-9０-９]{1,2})月([0-9０-９]{1,2})日")


def _renderer():
    spec = importlib.util.spec_from_file_location("render_sample_pdfs", ROOT / "scripts" / "render_sample_pdfs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def statement(i: int) -> tuple[str, str]:
    """(header, text) of statement i."""
    rng = random.Random(i)
    base = SOURCES[i % len(SOURCES)].read_text(encoding="utf-8")
    paragraphs = [p for p in base.split("\n") if p.strip()]
    head, body = paragraphs[:3], paragraphs[3:]
    rng.shuffle(body)
    body = body[: max(3, len(body) - rng.randrange(0, 3))]
    year = 2018 + rng.randrange(0, 8)

    def move(m: re.Match) -> str:
        return f"{year}年{rng.randrange(1, 13)}月{rng.randrange(1, 29)}日"

    text = "\n\n".join(_DATE.sub(move, p) for p in head + [f"本会合は第{i + 1}回目の会合である。"] + body) + "\n"
    header = re.sub(r"\s+", " ", head[0])[:30] if head else "共同声明"
    return header, text


def _wrapped(text: str, width: int = 40) -> str:
    """Hard-wrapped for the PDF renderer, which draws one line per source line."""
    lines = []
    for paragraph in text.split("\n"):
        lines.extend(paragraph[i:i + width] for i in range(0, len(paragraph), width))
        if not paragraph:
            lines.append("")
    return "\n".join(lines)


def build(n: int, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    renderer = None
    written = []
    for i in range(n):
        header, text = statement(i)
        if i % 2 == 0:
            renderer = renderer or _renderer()
            source = out / f".stmt_{i:05d}.txt"
            source.write_text(_wrapped(text), encoding="utf-8")
            target = out / f"stmt_{i:05d}.pdf"
            if not target.exists():
                renderer.render(source, header, target)
            source.unlink()
        else:
            target = out / f"stmt_{i:05d}.txt"
            target.write_text(text, encoding="utf-8")
        written.append(target)
    return written


if __name__ == "__main__":
    files = build(int(sys.argv[1]), Path(sys.argv[2]))
    print(f"{len(files)} files in {sys.argv[2]}")
