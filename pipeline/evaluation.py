"""Precision and recall of the structured fields against annotated statements.

Annotations use the seeds' expected.json format (../shared/seeds/README.md). Per field:
- dates: (value, precision) pairs; officials: (name, country, office) with the comparison rules of
  the seeds' README (NFKC, no spaces or ・, 德/徳 and 齋/斎/斉 the same; office by containment);
- sectors: recall over sectors_include; precision over the predicted sectors that are annotated
  (include or exclude), so an unannotated extra sector is neither right nor wrong;
- meeting_date, place, countries: one value per document, right or wrong.
Precision needs exhaustive annotations: a set marks them with "_exhaustive": true (the gold set);
for the seeds, whose lists are samples, dates and officials report recall only.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow.parquet as pq

VARIANTS = str.maketrans({"德": "徳", "齋": "斎", "斉": "斎", "齊": "斎", "邊": "辺", "邉": "辺", "髙": "高", "﨑": "崎"})
FIELDS = ("dates", "officials", "sectors", "meeting_date", "place", "countries", "doc_type")


def fold(s) -> str:
    s = unicodedata.normalize("NFKC", str(s or "")).translate(VARIANTS)
    return "".join(ch for ch in s if not ch.isspace() and ch not in "・･")


def iso(value, precision: str = "day") -> str | None:
    if value is None:
        return None
    s = value.isoformat()[:10] if hasattr(value, "isoformat") else str(value)[:10]
    return s[:7] if precision == "month" else s[:4] if precision == "year" else s


@dataclass
class Score:
    tp_p: int = 0  # predictions judged right
    n_pred: int = 0  # predictions judged
    tp_r: int = 0  # expectations found
    n_exp: int = 0  # expectations
    misses: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float | None:
        return self.tp_p / self.n_pred if self.n_pred else None

    @property
    def recall(self) -> float | None:
        return self.tp_r / self.n_exp if self.n_exp else None


def _by_doc(rows):
    out = {}
    for r in rows:
        out.setdefault(r["doc_id"], []).append(r)
    return out


def _read(pub: Path, name: str):
    folder = pub / name
    return pq.read_table(folder).to_pylist() if folder.is_dir() and any(folder.rglob("*.parquet")) else []


def evaluate(expected: dict, pub: Path) -> dict[str, Score]:
    exhaustive = bool(expected.get("_exhaustive"))
    ledger = {Path(r["source_path"]).name: r for r in _read(pub, "sources")}
    docs = {d["doc_id"]: d for d in _read(pub, "documents")}
    officials, dates, sectors = (_by_doc(_read(pub, n)) for n in ("officials", "dates", "sectors"))
    scores = {f: Score() for f in FIELDS}
    if expected.get("_office_apart"):
        scores["officials_office"] = Score()
    for name, exp in expected.items():
        if name.startswith("_"):
            continue
        row = ledger.get(name)
        doc = docs.get(row["doc_id"]) if row and row.get("doc_id") else None
        doc_id = doc["doc_id"] if doc else None

        got_d = {(iso(r["date"], r["precision"]), r["precision"]) for r in dates.get(doc_id, [])}
        want_d = {(v, p) for v, p in exp.get("dates_include", [])}
        _score_sets(scores["dates"], name, got_d, want_d, exhaustive)

        got_o = {(fold(r["name"]), r["country"], fold(r["office"])) for r in officials.get(doc_id, [])}
        want_o = exp.get("officials", [])
        s = scores["officials"]
        # realdev scores a person by name and country, and the office apart (officials_office)
        apart = bool(expected.get("_office_apart"))

        def same(n, c, off, o) -> bool:
            return n == fold(o["name"]) and c == o["country"] and (apart or fold(o.get("office", "")) in off)

        for o in want_o:
            s.n_exp += 1
            found = [g for g in got_o if same(*g, o)]
            if found:
                s.tp_r += 1
                if apart:
                    office = scores["officials_office"]
                    office.n_exp += 1
                    office.n_pred += 1
                    right = any(fold(o.get("office", "")) in off or off in fold(o.get("office", "")) and off
                                for _, _, off in found)
                    office.tp_r += right
                    office.tp_p += right
                    if not right:
                        office.misses.append(f"{name}: office of {o['name']}: {[f[2] for f in found]}, expected {o['office']}")
            else:
                s.misses.append(f"{name}: missing official {o}")
        if exhaustive or "officials_max" in exp:
            for g in got_o:
                s.n_pred += 1
                if any(same(*g, o) for o in want_o):
                    s.tp_p += 1
                else:
                    s.misses.append(f"{name}: unexpected official {g}")

        got_s = {r["sector_id"] for r in sectors.get(doc_id, [])}
        inc, exc = set(exp.get("sectors_include", [])), set(exp.get("sectors_exclude", []))
        s = scores["sectors"]
        s.n_exp += len(inc)
        s.tp_r += len(inc & got_s)
        s.misses += [f"{name}: sector {x} missing" for x in sorted(inc - got_s)]
        s.n_pred += len(got_s & (inc | exc))
        s.tp_p += len(got_s & inc)
        s.misses += [f"{name}: sector {x} should not be there" for x in sorted(got_s & exc)]

        for key, got, want, same in (
            ("meeting_date", iso(doc.get("meeting_date")) if doc else None, exp.get("meeting_date"), lambda g, w: g == w),
            ("place", doc.get("place") if doc else None, exp.get("place_contains"), lambda g, w: fold(w) in fold(g)),
            ("doc_type", doc.get("doc_type") if doc else None, exp.get("doc_type"), lambda g, w: g == w),
            ("countries", sorted(doc.get("countries") or []) if doc else None,
             exp.get("countries", exp.get("countries_include")),
             (lambda g, w: set(g) == set(w)) if "countries" in exp else (lambda g, w: set(w) <= set(g))),
        ):
            if want is None:
                continue
            s = scores[key]
            s.n_exp += 1
            right = got is not None and same(got, want)
            if got is not None:
                s.n_pred += 1
            s.tp_p += right
            s.tp_r += right
            if not right:
                s.misses.append(f"{name}: {key} {got!r}, expected {want!r}")
    return scores


def _score_sets(s: Score, name: str, got: set, want: set, exhaustive: bool) -> None:
    s.n_exp += len(want)
    s.tp_r += len(got & want)
    s.misses += [f"{name}: missing date {x}" for x in sorted(want - got, key=str)]
    if exhaustive:
        s.n_pred += len(got)
        s.tp_p += len(got & want)
        s.misses += [f"{name}: unexpected date {x}" for x in sorted(got - want, key=str)]


def format_scores(title: str, scores: dict[str, Score]) -> str:
    def pct(x):
        return "  n/a" if x is None else f"{x:5.3f}"

    lines = [f"{title}", f"  {'field':<13} {'precision':>9} {'recall':>7}   (judged predictions / expectations)"]
    for f, s in scores.items():
        lines.append(f"  {f:<13} {pct(s.precision):>9} {pct(s.recall):>7}   ({s.n_pred} / {s.n_exp})")
    return "\n".join(lines)


def load_expected(path: Path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def realdev_expected(gold: dict) -> dict:
    """../shared/realdev/gold.json in the seeds' format: exhaustive officials and dates, the
    meeting date (null: not scored) and the document type."""
    expected: dict = {"_exhaustive": True, "_office_apart": True}
    for name, g in gold.items():
        expected[name] = {
            "dates_include": [list(d) for d in g.get("dates", [])],
            "officials": g.get("officials", []),
            "meeting_date": g.get("meeting_date"),
            "doc_type": g.get("doc_type"),
        }
    return expected


def format_per_file(scores: dict[str, Score]) -> str:
    """Misses per file and field, worst files first: where to look next."""
    by_file: dict[str, dict[str, int]] = {}
    for field_name, score in scores.items():
        for miss in score.misses:
            file_name = miss.split(":", 1)[0]
            by_file.setdefault(file_name, {}).setdefault(field_name, 0)
            by_file[file_name][field_name] += 1
    lines = ["  per file (misses by field)"]
    for file_name, counts in sorted(by_file.items(), key=lambda kv: (-sum(kv[1].values()), kv[0])):
        lines.append(f"    {file_name}: " + ", ".join(f"{f} {n}" for f, n in sorted(counts.items())))
    return "\n".join(lines)
