"""The corpus report: one self-contained HTML page (and its charts as PNG) picturing what is
published: meetings and their officials over time, sectors by meeting date, what became of the
inbox files, and the latest validation of each table. Its counts cover the whole corpus; what it
draws and lists is bounded (the latest meetings, the officials met most often there), so the page
and the time to build it stay the same size at 100 documents or 100,000.

No Dagster here: the asset (assets/corpus_report.py) reads the tables and the check results and
writes the files; this module only turns pyarrow tables and plain dicts into HTML and PNG bytes.

The charts draw their Japanese labels (officials' names, sector labels, rejection reasons) with
IPAexGothic, which ships in the matplotlib-fontja wheel (pinned in requirements.lock): a machine
without any CJK font renders them the same. The page names the common Japanese fonts first and
falls back to the reader's sans-serif. Nothing here reads the clock, and the PNGs carry no software version or date, so
the same corpus gives the same bytes; `content_sha256` covers everything but the footer (which
names the run).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import html
import io
from collections import Counter
from dataclasses import dataclass, field

import pyarrow as pa

from pipeline.core.shorten import shorten

# The columns the report reads, by name (the tables may carry more, e.g. a hive partition column).
DOCUMENT_COLUMNS = ["doc_id", "source_path", "title", "meeting_date", "place"]
OFFICIAL_COLUMNS = ["doc_id", "person_id", "name", "office", "country", "char_start"]
SECTOR_COLUMNS = ["doc_id", "sector_id", "label_ja", "mentions"]
LEDGER_COLUMNS = ["source_path", "status", "reason"]
STATUSES = ("published", "rejected", "duplicate")
CHARTS = ("timeline", "sector_heatmap", "sources")

NO_DATE = "no date"
MAX_HEATMAP_COLUMNS = 40  # more meeting dates than this: columns become months, then years
MAX_REASON_BARS = 15
# What the page draws and lists is bounded, so that its size and the time to build it on every
# publishing run do not grow with the corpus (10,000 documents listed: a 2.9 MB page and 4.4 s a
# run); the counts above them still cover every document, and the tables hold all the rows.
TIMELINE_MEETINGS = 60  # the latest meeting dates on the timeline chart
TIMELINE_OFFICIALS = 40  # its rows: the officials met most often at those meetings
LISTED_DATED = 200  # documents listed under the timeline: those of the latest meeting dates ...
LISTED_UNDATED = 50  # ... and the first of those without one (by doc_id)
LISTED_HELD_BACK = 20  # documents named per table in the validation section
DPI = 100
COUNTRY_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf")


@dataclass(frozen=True)
class CorpusReport:
    html: str
    charts: dict[str, bytes]  # chart name -> PNG bytes
    counts: dict
    content_sha256: str  # of the report without its footer: the same corpus gives the same hash


@dataclass
class _Document:
    doc_id: str
    source_path: str | None
    title: str | None
    meeting_date: dt.date | None
    place: str | None
    officials: list[dict] = field(default_factory=list)


def build_report(
    documents: pa.Table | None,
    officials: pa.Table | None,
    sectors: pa.Table | None,
    ledger: pa.Table | None,
    validation: dict[str, dict | None],
    run_id: str | None = None,
) -> CorpusReport:
    """The report from the published tables (None: nothing published) and, per published table,
    its latest validation as a plain dict (None: never evaluated). A validation dict has: passed,
    severity, expectations_evaluated, expectations_failed, documents_held_back ({doc_id:
    [failures]}), failed ([{expectation, severity, unexpected_count, ...}]) and run_id."""
    docs = _documents(documents, officials)
    heat_rows, heat_columns, heat = _heatmap(docs, _rows(sectors))
    ledger_rows = _rows(ledger)
    statuses = {s: sum(r.get("status") == s for r in ledger_rows) for s in STATUSES}
    reasons = Counter(r.get("reason") or "(no reason recorded)" for r in ledger_rows if r.get("status") == "rejected")
    by_reason = dict(sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0])))
    dated = [d for d in docs if d.meeting_date is not None]
    counts = {
        "documents": len(docs),
        "meetings": len({d.meeting_date for d in dated}),  # distinct meeting dates
        "documents_without_meeting_date": len(docs) - len(dated),
        "officials": len({_official_id(o) for d in docs for o in d.officials}),
        "sectors": len(heat_rows),
        "files": len(ledger_rows),
        **statuses,
        "rejected_by_reason": by_reason,
        "tables_without_validation": sorted(t for t, v in validation.items() if v is None),
    }
    sector_labels = {r["sector_id"]: r.get("label_ja") for r in _rows(sectors) if r.get("sector_id")}
    charts = _render_charts(docs, heat_rows, heat_columns, heat, statuses, by_reason, sector_labels)
    body = _html_body(docs, heat_rows, heat_columns, heat, statuses, by_reason, validation, counts, charts)
    content_sha256 = hashlib.sha256(body.encode("utf-8")).hexdigest()
    return CorpusReport(html=body + _footer(run_id, validation), charts=charts, counts=counts,
                        content_sha256=content_sha256)


# --- data ---------------------------------------------------------------------------------------

def _rows(table: pa.Table | None) -> list[dict]:
    return table.to_pylist() if table is not None else []


def _documents(documents: pa.Table | None, officials: pa.Table | None) -> list[_Document]:
    """Documents in meeting-date order (undated last), each with its officials once each, in the
    order the text first mentions them."""
    docs = {r["doc_id"]: _Document(r["doc_id"], r.get("source_path"), r.get("title"), r.get("meeting_date"),
                                   r.get("place"))
            for r in _rows(documents)}
    mentions = sorted(_rows(officials), key=lambda r: (r.get("doc_id") or "", r.get("char_start") or 0))
    for r in mentions:
        doc = docs.get(r.get("doc_id"))
        if doc is None:  # a mention of a document no longer published
            continue
        if all(_official_id(o) != _official_id(r) for o in doc.officials):
            doc.officials.append({k: r.get(k) for k in ("person_id", "name", "office", "country")})
    return sorted(docs.values(), key=lambda d: (d.meeting_date is None, d.meeting_date or dt.date.min, d.doc_id))


def latest_meetings(docs: list[_Document], limit: int) -> tuple[list[_Document], int]:
    """The dated documents of the latest `limit` meeting dates (in meeting-date order), and how many
    meeting dates that leaves out."""
    dates = sorted({d.meeting_date for d in docs if d.meeting_date is not None})
    kept = set(dates[-limit:]) if limit > 0 else set()
    return [d for d in docs if d.meeting_date in kept], len(dates) - len(kept)


def _official_id(row: dict) -> tuple:
    return (row.get("person_id"),) if row.get("person_id") else (row.get("name"), row.get("office"), row.get("country"))


def _period_labels(dates: list[dt.date]) -> dict[dt.date, str]:
    """Each meeting date's heat-map column: the date, or its month, or its year, whichever keeps
    the columns at MAX_HEATMAP_COLUMNS or fewer."""
    for fmt in ("%Y-%m-%d", "%Y-%m", "%Y"):
        labels = {d: d.strftime(fmt) for d in dates}
        if len(set(labels.values())) <= MAX_HEATMAP_COLUMNS:
            break
    return labels


def _heatmap(docs: list[_Document], sector_rows: list[dict]):
    """(sector ids, column labels, {(sector, column): mentions}); sectors by total mentions."""
    labels = _period_labels(sorted({d.meeting_date for d in docs if d.meeting_date}))
    column_of = {d.doc_id: labels[d.meeting_date] if d.meeting_date else NO_DATE for d in docs}
    cells: Counter = Counter()
    for r in sector_rows:
        column = column_of.get(r.get("doc_id"))
        if column is not None and r.get("sector_id"):
            cells[(r["sector_id"], column)] += int(r.get("mentions") or 0)
    totals: Counter = Counter()
    for (sector, _), n in cells.items():
        totals[sector] += n
    rows = sorted(totals, key=lambda s: (-totals[s], s))
    columns = sorted({c for c in column_of.values() if c != NO_DATE})
    if NO_DATE in column_of.values():
        columns.append(NO_DATE)
    return rows, columns, dict(cells)


# --- charts -------------------------------------------------------------------------------------

def _label(text: object, limit: int = 60) -> str:
    """Chart text, cut to `limit` characters (the chart font draws Japanese and Latin alike)."""
    return shorten(" ".join(str(text).split()), limit)


def chart_font() -> str:
    """The bundled IPAexGothic, registered with matplotlib once; its family name for rcParams."""
    from pathlib import Path

    import matplotlib_fontja
    from matplotlib import font_manager

    path = Path(matplotlib_fontja.__file__).parent / "fonts" / "ipaexg.ttf"
    if not any(f.fname == str(path) for f in font_manager.fontManager.ttflist):
        font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()


def _render_charts(docs, heat_rows, heat_columns, heat, statuses, by_reason, sector_labels=None) -> dict[str, bytes]:
    import matplotlib  # here, not at import: `seimei run` with nothing to do never pays for it

    rc = {"font.family": [chart_font(), "DejaVu Sans"], "font.size": 9, "axes.titlesize": 10}
    with matplotlib.rc_context(rc):
        return {
            "timeline": _png(_timeline_chart(docs)),
            "sector_heatmap": _png(_heatmap_chart(heat_rows, heat_columns, heat, sector_labels or {})),
            "sources": _png(_sources_chart(statuses, by_reason)),
        }


def _figure(width: float, height: float):
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=DPI, layout="constrained")


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})  # no version in the bytes
    return buf.getvalue()


def _empty(ax, message: str) -> None:
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes, color="#555555")
    ax.set_xticks([])
    ax.set_yticks([])


def _timeline_chart(docs: list[_Document]):
    """x: meeting date, the latest TIMELINE_MEETINGS of them; one row per official (gazetteer id,
    or country for one not in it), the TIMELINE_OFFICIALS met most often there, dots coloured by
    country; the top row marks every meeting shown."""
    all_dated = sum(d.meeting_date is not None for d in docs)
    dated, dates_left_out = latest_meetings(docs, TIMELINE_MEETINGS)
    people: dict[str, tuple[str, dt.date]] = {}  # label -> (country, first meeting)
    points: list[tuple[str, dt.date, str]] = []
    for d in dated:
        for o in d.officials:
            country = _label(o.get("country") or "??", 8)
            label = _label(f"{o.get('name') or '?'} ({country})", 40)
            people.setdefault(label, (country, d.meeting_date))
            points.append((label, d.meeting_date, country))
    met = Counter(p[0] for p in points)
    shown = set(sorted(people, key=lambda p: (-met[p], people[p][1], p))[:TIMELINE_OFFICIALS])
    people_left_out = len(people) - len(shown)
    people = {p: v for p, v in people.items() if p in shown}
    points = [p for p in points if p[0] in shown]
    order = sorted(people, key=lambda p: (people[p][0], people[p][1], p))
    rows = ["meeting", *order]
    fig = _figure(10, min(max(1.6 + 0.32 * len(rows), 2.6), 14))
    ax = fig.add_subplot()
    undated = len(docs) - all_dated
    title = f"Meetings and officials ({all_dated} dated documents"
    title += f"; {undated} without a meeting date, not shown)" if undated else ")"
    bounds = [f"the latest {TIMELINE_MEETINGS} meeting dates ({dates_left_out} earlier not shown)"] if dates_left_out else []
    if people_left_out:
        bounds.append(f"the {TIMELINE_OFFICIALS} officials met most often ({people_left_out} others not shown)")
    ax.set_title("\n".join([title, "; ".join(bounds)]) if bounds else title)
    if not dated:
        _empty(ax, "no document has a meeting date" if docs else "no document is published")
        return fig
    y = {label: len(rows) - 1 - i for i, label in enumerate(rows)}
    dates = sorted({d.meeting_date for d in dated})
    where = spread_positions([d.toordinal() for d in dates])  # meetings days apart get their own column
    x = dict(zip(dates, where))
    # one collection of guide lines, not a line artist per meeting (1,000 meetings: 1,000 artists)
    ax.vlines(where, 0, 1, transform=ax.get_xaxis_transform(), color="#dddddd", linewidth=0.8, zorder=0)
    ax.scatter(where, [y["meeting"]] * len(where), marker="D", s=36, color="#333333", zorder=2)
    countries = sorted({c for c, _ in people.values()})
    colour = {c: COUNTRY_COLOURS[i % len(COUNTRY_COLOURS)] for i, c in enumerate(countries)}
    for country in countries:
        mine = [(x[p[1]], y[p[0]]) for p in points if p[2] == country]
        ax.scatter([m[0] for m in mine], [m[1] for m in mine], s=44, color=colour[country], label=country, zorder=3)
    ax.set_yticks(list(y.values()), list(y.keys()))
    ax.set_ylim(-0.7, len(rows) - 0.3)
    span = where[-1] - where[0]
    pad = max(span * 0.05, 20)
    ax.set_xlim(where[0] - pad, where[-1] + pad)
    ticks: list[tuple[float, dt.date]] = []  # meeting dates, thinned so that their labels do not overlap
    for position, date in zip(where, dates):
        if not ticks or position - ticks[-1][0] >= span / 12:
            ticks.append((position, date))
    ax.set_xticks([t[0] for t in ticks], [t[1].isoformat() for t in ticks], rotation=30, ha="right")
    if countries:
        ax.legend(title="country", loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return fig


TIMELINE_SLOTS = 60  # meetings closer than 1/60 of the time span would draw one over the other


def spread_positions(days: list[int]) -> list[float]:
    """x positions for sorted day ordinals: each at its date, but at least 1/TIMELINE_SLOTS of the
    span after the one before, so two meetings on consecutive days are two dots, not one (the axis
    labels still say the real dates)."""
    if not days:
        return []
    gap = max(days[-1] - days[0], 1) / TIMELINE_SLOTS
    positions = [float(days[0])]
    for day in days[1:]:
        positions.append(max(float(day), positions[-1] + gap))
    return positions


def _heatmap_chart(rows: list[str], columns: list[str], heat: dict, sector_labels: dict[str, str]):
    fig = _figure(min(max(3.5 + 0.42 * len(columns), 6), 22), min(max(1.4 + 0.28 * len(rows), 2.6), 16))
    ax = fig.add_subplot()
    ax.set_title("Sector mentions by meeting date")
    if not rows:
        _empty(ax, "no sector is mentioned")
        return fig
    grid = [[heat.get((r, c), 0) for c in columns] for r in rows]
    image = ax.imshow(grid, aspect="auto", cmap="Blues", vmin=0, interpolation="nearest")
    ax.set_xticks(range(len(columns)), [_label(c) for c in columns], rotation=45, ha="right")
    ax.set_yticks(range(len(rows)), [_label(sector_labels.get(r) or r) for r in rows])
    peak = max(max(line) for line in grid) or 1
    if len(rows) * len(columns) <= 600:  # numbers in the cells while they stay legible
        for i, line in enumerate(grid):
            for j, n in enumerate(line):
                if n:
                    ax.text(j, i, str(n), ha="center", va="center", fontsize=7, in_layout=False,
                            color="white" if n > peak / 2 else "black")
    fig.colorbar(image, ax=ax, label="mentions", shrink=0.8)
    return fig


def _sources_chart(statuses: dict[str, int], by_reason: dict[str, int]):
    import textwrap

    reasons = list(by_reason.items())
    if len(reasons) > MAX_REASON_BARS:
        rest = sum(n for _, n in reasons[MAX_REASON_BARS - 1:])
        reasons = reasons[: MAX_REASON_BARS - 1] + [(f"{len(by_reason) - MAX_REASON_BARS + 1} other reasons", rest)]
    fig = _figure(11, min(max(1.2 + 0.5 * len(reasons), 2.4), 9))
    left, right = fig.subplots(1, 2, width_ratios=[1, 2])
    left.set_title("Inbox files by status")
    values = [statuses.get(s, 0) for s in STATUSES][::-1]
    bars = left.barh(STATUSES[::-1], values, height=0.6, color=["#7f7f7f", "#d62728", "#2ca02c"])
    left.bar_label(bars, [str(v) for v in values], padding=2)
    left.set_xlim(0, max(max(values), 1) * 1.2)
    left.xaxis.get_major_locator().set_params(integer=True)
    right.set_title("Rejected files by reason")
    if not reasons:
        _empty(right, "no file was rejected")
        return fig
    labels = [textwrap.fill(_label(r, 90), 45) for r, _ in reasons][::-1]
    counts = [n for _, n in reasons][::-1]
    bars = right.barh(range(len(reasons)), counts, height=0.6, color="#d62728")
    right.bar_label(bars, [str(n) for n in counts], padding=2)
    right.set_yticks(range(len(reasons)), labels, fontsize=8)
    right.set_ylim(-0.6, len(reasons) - 0.4)
    right.set_xlim(0, max(counts) * 1.15)
    right.xaxis.get_major_locator().set_params(integer=True)
    return fig


# --- HTML ---------------------------------------------------------------------------------------

REPORT_FONT = "ipaexg.ttf"  # written beside the page by the asset; used only where no installed font has the glyph
STYLE = """
@font-face { font-family: "seimei IPAexGothic"; src: url("ipaexg.ttf") format("truetype"); }
body { font-family: "Hiragino Kaku Gothic ProN", "Hiragino Sans", "Yu Gothic", YuGothic, Meiryo, "Noto Sans CJK JP",
       "Noto Sans JP", "Source Han Sans JP", "IPAexGothic", "IPAGothic", "TakaoGothic", "seimei IPAexGothic", sans-serif; margin: 2em auto; max-width: 70em; color: #222; line-height: 1.45; }
h1 { font-size: 1.6em; } h2 { font-size: 1.25em; margin-top: 2em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.92em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.5em; text-align: left; vertical-align: top; }
th { background: #f3f3f3; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
table.heat td { text-align: center; min-width: 2.2em; } .muted { color: #777; }
img { max-width: 100%; height: auto; display: block; margin: 0.8em 0; }
.failed { color: #b00020; font-weight: bold; } .passed { color: #1b7a1b; }
footer { margin-top: 3em; font-size: 0.85em; color: #777; }
"""


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _img(name: str, png: bytes, alt: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{_e(alt)}" id="chart-{_e(name)}">'


def _html_body(docs, heat_rows, heat_columns, heat, statuses, by_reason, validation, counts, charts) -> str:
    parts = [
        "<!DOCTYPE html>",
        '<html lang="ja"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>seimei corpus report</title><style>{STYLE}</style></head><body>",
        "<h1>seimei corpus report</h1>",
        f"<p>{counts['documents']} published documents, {counts['meetings']} meeting dates, "
        f"{counts['officials']} officials, {counts['sectors']} sectors; inbox files: {counts['files']} "
        f"({statuses['published']} published, {statuses['rejected']} rejected, {statuses['duplicate']} duplicate).</p>",
        _timeline_section(docs, charts["timeline"]),
        _heatmap_section(heat_rows, heat_columns, heat, charts["sector_heatmap"]),
        _sources_section(statuses, by_reason, charts["sources"]),
        _validation_section(validation),
    ]
    return "\n".join(parts) + "\n"


def _timeline_section(docs: list[_Document], png: bytes) -> str:
    out = ['<section id="timeline">', "<h2>Meetings and officials</h2>"]
    if not docs:
        out.append('<p class="muted">No document is published yet.</p>')
    out.append(_img("timeline", png, "Timeline of meetings: one row per official, by meeting date"))
    if docs:
        listed, left_out = listed_documents(docs)
        if left_out:
            out.append(f'<p class="muted">{left_out}: every document is in the <code>documents</code> table, '
                       "its officials in <code>officials</code>.</p>")
        out.append("<table><thead><tr><th>meeting date</th><th>title</th><th>place</th>"
                   "<th>officials (name / office / country)</th><th>document</th></tr></thead><tbody>")
        for d in listed:
            people = "<br>".join(f"{_e(o['name'])} / {_e(o['office'])} / {_e(o['country'])}" for o in d.officials)
            out.append(
                f"<tr><td>{_e(d.meeting_date.isoformat()) if d.meeting_date else '<span class=muted>' + NO_DATE + '</span>'}</td>"
                f"<td>{_e(d.title) if d.title else '<span class=muted>(no title)</span>'}</td><td>{_e(d.place)}</td>"
                f"<td>{people or '<span class=muted>none found</span>'}</td>"
                f"<td><code>{_e(d.doc_id)}</code><br><span class=muted>{_e(d.source_path)}</span></td></tr>"
            )
        out.append("</tbody></table>")
    out.append("</section>")
    return "\n".join(out)


def listed_documents(docs: list[_Document]) -> tuple[list[_Document], str]:
    """The documents the timeline's table lists (the LISTED_DATED of the latest meeting dates,
    then the first LISTED_UNDATED without a date), and a sentence on those it leaves out ("" if none)."""
    dated = [d for d in docs if d.meeting_date is not None]
    undated = [d for d in docs if d.meeting_date is None]
    listed = dated[-LISTED_DATED:] + undated[:LISTED_UNDATED]
    parts = []
    if len(dated) > LISTED_DATED:
        parts.append(f"the {LISTED_DATED} documents with the latest meeting dates "
                     f"({len(dated) - LISTED_DATED} earlier not listed)")
    if len(undated) > LISTED_UNDATED:
        parts.append(f"the first {LISTED_UNDATED} documents without a meeting date "
                     f"({len(undated) - LISTED_UNDATED} others not listed)")
    return listed, ("Listed here: " + " and ".join(parts)) if parts else ""


def _heatmap_section(rows: list[str], columns: list[str], heat: dict, png: bytes) -> str:
    out = ['<section id="sectors">', "<h2>Sectors by meeting date</h2>",
           "<p>Mentions of each taxonomy sector in the documents of each meeting date "
           f"(columns become months or years past {MAX_HEATMAP_COLUMNS} dates).</p>",
           _img("sector_heatmap", png, "Heat map of sector mentions by meeting date")]
    if not rows:
        out.append('<p class="muted">No sector is mentioned in the published documents.</p>')
    else:
        peak = max(heat.values()) or 1
        out.append('<table class="heat"><thead><tr><th>sector</th>'
                   + "".join(f"<th>{_e(c)}</th>" for c in columns) + "</tr></thead><tbody>")
        for r in rows:
            cells = []
            for c in columns:
                n = heat.get((r, c), 0)
                shade = f' style="background: rgba(31, 119, 180, {0.12 + 0.78 * n / peak:.2f})"' if n else ""
                cells.append(f"<td{shade}>{n or ''}</td>")
            out.append(f"<tr><th><code>{_e(r)}</code></th>{''.join(cells)}</tr>")
        out.append("</tbody></table>")
    out.append("</section>")
    return "\n".join(out)


def _sources_section(statuses: dict[str, int], by_reason: dict[str, int], png: bytes) -> str:
    out = ['<section id="sources">', "<h2>Inbox files</h2>", "<table><tbody>"]
    out += [f'<tr><th>{s}</th><td class="n">{statuses[s]}</td></tr>' for s in STATUSES]
    out.append("</tbody></table>")
    if by_reason:
        out.append("<h3>Rejected files by reason</h3><table><thead><tr><th>reason</th><th>files</th></tr></thead><tbody>")
        out += [f'<tr><td>{_e(reason)}</td><td class="n">{n}</td></tr>' for reason, n in by_reason.items()]
        out.append("</tbody></table>")
    else:
        out.append('<p class="muted">No file was rejected.</p>')
    out += [_img("sources", png, "Inbox files by status, and rejected files by reason"), "</section>"]
    return "\n".join(out)


def _validation_section(validation: dict[str, dict | None]) -> str:
    out = ['<section id="validation">', "<h2>Validation</h2>",
           "<p>The latest evaluation of each table's Great Expectations suite (asset check <code>gx_suite</code>); "
           "for a per-document table it covers the documents of the run that evaluated it.</p>",
           "<table><thead><tr><th>table</th><th>result</th><th>expectations evaluated</th><th>failed</th>"
           "<th>severity</th><th>documents held back</th><th>failed expectations</th></tr></thead><tbody>"]
    for table, v in validation.items():
        if v is None:
            out.append(f'<tr><th>{_e(table)}</th><td colspan="6" class="muted">no gx_suite evaluation yet</td></tr>')
            continue
        passed = bool(v.get("passed"))
        held = v.get("documents_held_back") or {}
        failures = "<br>".join(
            f"{_e(f.get('expectation'))} ({_e(f.get('severity'))}"
            + (f", {_e(f['unexpected_count'])} unexpected" if f.get("unexpected_count") is not None else "") + ")"
            for f in v.get("failed") or []
        )
        out.append(
            f"<tr><th>{_e(table)}</th>"
            f"<td class=\"{'passed' if passed else 'failed'}\">{'passed' if passed else 'failed'}</td>"
            f'<td class="n">{_e(v.get("expectations_evaluated"))}</td><td class="n">{_e(v.get("expectations_failed"))}</td>'
            f"<td>{'' if passed else _e(v.get('severity'))}</td>"
            f"<td>{_held_back(held)}</td>"
            f"<td>{failures}</td></tr>"
        )
    out += ["</tbody></table>", "</section>"]
    return "\n".join(out)


def _held_back(held: dict) -> str:
    """How many documents a failed suite held back, and the first LISTED_HELD_BACK of them."""
    if not held:
        return "0"
    names = sorted(held)
    lines = [str(len(held)), *(f"<code>{_e(d)}</code>" for d in names[:LISTED_HELD_BACK])]
    if len(names) > LISTED_HELD_BACK:
        lines.append(f'<span class="muted">and {len(names) - LISTED_HELD_BACK} more</span>')
    return "<br>".join(lines)


def _footer(run_id: str | None, validation: dict[str, dict | None]) -> str:
    runs = sorted({v["run_id"] for v in validation.values() if v and v.get("run_id")})
    lines = []
    if run_id:
        lines.append(f"Built by run <code>{_e(run_id)}</code>.")
    if runs:
        lines.append("Validation results from run(s) " + ", ".join(f"<code>{_e(r)}</code>" for r in runs) + ".")
    return f"<footer>{' '.join(lines)}</footer>\n</body></html>\n"
