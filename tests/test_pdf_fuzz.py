"""A bounded fuzz of the PDF path: damaged copies of the sample PDFs (bytes flipped, cut short,
chunks deleted or repeated, the xref zeroed, the page tree broken) are each read in a child
process with a time limit. Each must give text or RejectedInput: no other exception, no hang.
Then the real pipeline takes a folder of them and accounts for every file in `sources`.

The mutants are made from a fixed seed, so a failure names a reproducible input: rerun
`mutants()` and write out the one named in the message."""

from __future__ import annotations

import multiprocessing
import random
import re
import shutil
import time
import traceback
from pathlib import Path

from tests.conftest import SAMPLE_INBOX

SEED = 20261122
MUTANTS = 40
PER_FILE_SECONDS = 20.0
TOTAL_SECONDS = 90.0  # a hard stop for the whole read loop (it takes about 10 s on 2 cores)


def _flip(data: bytearray, rng: random.Random) -> str:
    at = sorted(rng.randrange(len(data)) for _ in range(rng.randint(1, 24)))
    for i in at:
        data[i] = rng.randrange(256)
    return f"flip {len(at)} bytes at {at[:6]}..."


def _truncate(data: bytearray, rng: random.Random) -> str:
    cut = rng.randrange(min(16, len(data) - 1), len(data) - 1)
    del data[cut:]
    return f"truncate at {cut}"


def _delete_chunk(data: bytearray, rng: random.Random) -> str:
    start = rng.randrange(max(1, len(data) - 64))
    size = rng.randint(1, 2048)
    del data[start:start + size]
    return f"delete {size} bytes at {start}"


def _duplicate_chunk(data: bytearray, rng: random.Random) -> str:
    start = rng.randrange(max(1, len(data) - 64))
    size = rng.randint(1, 2048)
    chunk = data[start:start + size]
    to = rng.randrange(len(data))
    data[to:to] = chunk
    return f"copy {size} bytes from {start} to {to}"


def _zero_xref(data: bytearray, rng: random.Random) -> str:
    start = data.rfind(b"\nxref") + 1
    end = data.find(b"trailer", start)
    if start == 0 or end < start:  # already cut away
        return _flip(data, rng)
    start = rng.choice([start, rng.randrange(start, end)])  # all of the table, or its tail
    keep = rng.choice([b"0", b" ", b"\x00"])
    data[start:end] = keep * (end - start)
    return f"xref table {start}..{end} filled with {keep!r}"


def _bad_startxref(data: bytearray, rng: random.Random) -> str:
    m = re.search(rb"startxref\s+(\d+)", bytes(data))
    if m is None:  # already cut away
        return _flip(data, rng)
    value = rng.choice([b"0", b"1", b"999999999", str(rng.randrange(len(data))).encode()])
    data[m.start(1):m.end(1)] = value
    return f"startxref -> {value.decode()}"


def _flip_in_stream(data: bytearray, rng: random.Random) -> str:
    streams = [m.end() for m in re.finditer(rb"stream\r?\n", bytes(data)) if m.end() + 400 < len(data)]
    if not streams:
        return _flip(data, rng)
    start = rng.choice(streams)
    at = [start + rng.randrange(400) for _ in range(rng.randint(1, 6))]
    for i in at:
        data[i] = rng.randrange(33, 118)  # stays ASCII85, so the damage reaches the Flate layer
    return f"flip {len(at)} bytes inside the stream at {start}"


STRUCTURAL = [
    (rb"/Count \d+", b"/Count 99999999", "page count 99999999"),
    (rb"/Count \d+", b"/Count -1", "page count -1"),
    (rb"/Kids \[ \d+ 0 R", None, "page tree that contains itself"),
    (rb"/Length \d+", b"/Length 99999999", "stream length 99999999"),
    (rb"/Length \d+", b"/Length -5", "stream length -5"),
    (rb"/Root \d+ 0 R", b"/Root 1 0 R", "root pointing at the font dictionary"),
    (rb"/Filter \[ /ASCII85Decode /FlateDecode \]", b"/Filter [ /FlateDecode /ASCII85Decode ]", "filters swapped"),
    (rb"/Type /Pages", b"[" * 20000 + b"/Type /Pages", "20000 nested arrays"),
    (rb"/MediaBox \[[^\]]*\]", b"/MediaBox [ 0 0 0 0 ]", "empty MediaBox"),
    (rb"/MediaBox \[[^\]]*\]", b"/MediaBox [ /a (b) ]", "MediaBox of a name and a string"),
    (rb"/F2 3 0 R", b"/F2 99 0 R", "Japanese font pointing at a missing object"),
    (rb"/F2 3 0 R", b"/F2 /NotAFont", "Japanese font that is a name"),
    (rb"/F2 3 0 R", b"/F2 2 0 R", "Japanese text set in Helvetica"),
    (rb"/Encoding /UniJIS-UCS2-H", b"/Encoding /NoSuch-CMap-H", "unknown CMap"),
    (rb"/Contents \d+ 0 R", b"/Contents 1 0 R", "page contents that are a dictionary"),
    (rb"/Rotate 0", b"/Rotate 45", "page rotated 45 degrees"),
    (rb"/W \[ 1 \[", b"/W [ 1e400 [", "font widths with a huge number"),
    (rb"/Parent \d+ 0 R", b"/Parent 9999 0 R", "page whose parent is missing"),
]


def _structural(data: bytearray, rng: random.Random, which: int | None = None) -> str:
    pattern, replacement, what = STRUCTURAL[rng.randrange(len(STRUCTURAL)) if which is None else which]
    raw = bytes(data)
    if replacement is None:  # the Pages object lists itself as a kid
        found = re.search(rb"(\d+) 0 obj\s*<<\s*/Count", raw)
        replacement = b"/Kids [ " + (found.group(1) if found else b"1") + b" 0 R"
    new = re.sub(pattern, replacement, raw, count=1)
    data[:] = new
    return what + ("" if new != raw else " (pattern absent: unchanged)")


KINDS = [_flip, _truncate, _delete_chunk, _duplicate_chunk, _zero_xref, _bad_startxref, _flip_in_stream]


def sample_pdfs() -> list[Path]:
    return sorted(SAMPLE_INBOX.glob("*.pdf"))


def mutants(count: int = MUTANTS, seed: int = SEED) -> list[tuple[str, str, bytes]]:
    """(file name, what was done, bytes), the same every time."""
    rng = random.Random(seed)
    sources = [(p.stem[:3], p.read_bytes()) for p in sample_pdfs()]
    out = []
    for i in range(count):
        stem, original = sources[i % len(sources)]
        data = bytearray(original)
        if i < len(STRUCTURAL):  # each kind of broken structure once
            kind, what = "structural", _structural(data, rng, which=i)
        else:
            damage = KINDS[(i - len(STRUCTURAL)) % len(KINDS)]
            kind, what = damage.__name__.strip("_"), damage(data, rng)
        if rng.random() < 0.25:  # now and then, a second kind of damage on top
            what += "; " + rng.choice(KINDS)(data, rng)
        out.append((f"m{i:02d}_{stem}_{kind}.pdf", what, bytes(data)))
    return out


def _read_in_child(path: str, conn) -> None:
    """Runs in the child process: read_source + normalize, and say how it went."""
    from pipeline.core.errors import RejectedInput
    from pipeline.core.process import normalize, read_source

    try:
        extracted = read_source(Path(path), "pdf")
        try:
            norm = normalize(extracted)
            outcome = ("read", f"{extracted.page_count} pages, {len(norm.text)} chars, dropped {sorted(extracted.dropped_pages)}")
        except RejectedInput as exc:
            outcome = ("rejected", f"normalize: {exc.reason}")
    except RejectedInput as exc:
        outcome = ("rejected", exc.reason)
    except BaseException:  # noqa: BLE001  (what we are looking for)
        outcome = ("crash", traceback.format_exc())
    conn.send(outcome)
    conn.close()


def read_all(paths: list[Path], workers: int = 2) -> dict[str, tuple[str, str]]:
    """name -> (read | rejected | crash | hang | died, detail): each file in its own child
    process (forked from a server that has pdfplumber loaded), killed after PER_FILE_SECONDS."""
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["pdfplumber", "pipeline.core.process"])
    pending, running, results = list(paths), {}, {}
    deadline = time.monotonic() + TOTAL_SECONDS
    while pending or running:
        while pending and len(running) < workers:
            path = pending.pop(0)
            parent, child = ctx.Pipe(duplex=False)
            proc = ctx.Process(target=_read_in_child, args=(str(path), child), daemon=True)
            proc.start()
            child.close()
            running[path.name] = (proc, parent, time.monotonic())
        for name, (proc, conn, started) in list(running.items()):
            if conn.poll():
                try:
                    results[name] = conn.recv()
                except EOFError:
                    results[name] = ("died", f"exit code {proc.exitcode}")
            elif not proc.is_alive():
                results[name] = ("died", f"exit code {proc.exitcode} with no answer")
            elif time.monotonic() - started > PER_FILE_SECONDS or time.monotonic() > deadline:
                proc.kill()
                results[name] = ("hang", f"still reading after {time.monotonic() - started:.0f} s")
            else:
                continue
            proc.join(5)
            conn.close()
            del running[name]
        if time.monotonic() > deadline:
            results.update({p.name: ("hang", "not started before the time limit") for p in pending})
            pending.clear()
        time.sleep(0.02)
    return results


def test_damaged_pdfs_are_read_or_rejected_never_crash_or_hang(tmp_path):
    made = mutants()
    assert len({data for _, _, data in made}) == len(made)  # every mutant is different
    paths = []
    for name, _, data in made:
        (tmp_path / name).write_bytes(data)
        paths.append(tmp_path / name)
    started = time.monotonic()
    results = read_all(paths)
    elapsed = time.monotonic() - started
    what = {name: how for name, how, _ in made}
    bad = {n: (what[n], r) for n, r in results.items() if r[0] not in ("read", "rejected")}
    assert not bad, "\n\n".join(f"{n} ({how}): {kind}\n{detail}" for n, (how, (kind, detail)) in sorted(bad.items()))
    assert set(results) == {p.name for p in paths}
    rejected = [r for r in results.values() if r[0] == "rejected"]
    assert all(detail.strip() for _, detail in rejected)
    assert rejected and len(rejected) < len(results)  # the damage is varied: some read, some refused
    assert elapsed < TOTAL_SECONDS


def test_the_pipeline_accounts_for_every_damaged_pdf(tmp_path):
    import dagster as dg
    import pyarrow.parquet as pq

    from pipeline.runner import run

    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    chosen = mutants()[::4]  # 10 mutants, every kind of damage
    for name, _, data in chosen:
        (inbox / name).write_bytes(data)
    shutil.copy(SAMPLE_INBOX / "003_40687e4e43f7c743.txt", inbox / "good.txt")
    with dg.instance_for_test() as instance:
        summary = run(str(inbox), str(out), instance, echo=lambda *_: None)  # RunFailed would fail the test
    rows = pq.read_table(out / "sources").to_pylist()
    assert sorted(r["source_path"] for r in rows) == sorted([name for name, _, _ in chosen] + ["good.txt"])
    assert {r["status"] for r in rows} <= {"published", "rejected", "duplicate"}
    assert all(r["reason"] for r in rows if r["status"] != "published")
    ledger = {r["source_path"]: r for r in rows}
    assert ledger["good.txt"]["status"] == "published"
    assert sum(summary.statuses.values()) == len(rows)
    documents = {d["doc_id"] for d in pq.read_table(out / "documents").to_pylist()}
    assert documents == {r["doc_id"] for r in rows if r["status"] == "published"}


# --- text-layer mutations: what a font's ToUnicode map can hand over ------------------------

TEXT_LAYER_MUTANTS = 24
CODE_POINT_KINDS = {
    "surrogate": (0xD800, 0xDFFF), "private use": (0xE000, 0xF8FF), "C0 control": (0x00, 0x1F),
    "C1 control": (0x80, 0x9F), "noncharacter": (0xFFFE, 0xFFFF), "kanji": (0x4E00, 0x9FFF),
}


def text_layer_mutants(count: int = TEXT_LAYER_MUTANTS, seed: int = SEED) -> list[tuple[str, str, bytes]]:
    """One-page PDFs whose ToUnicode maps send glyph codes to code points of every awkward kind
    (as numbers in a bfrange, which a reader takes as they stand), mixed with ordinary kanji."""
    from tests.conftest import load_script

    hostile = load_script("make_hostile_files")
    rng = random.Random(seed)
    out = []
    for i in range(count):
        kinds = rng.sample(sorted(CODE_POINT_KINDS), rng.randint(1, 3))
        numeric = {}
        for code in range(0xA1, 0xA1 + 40):
            low, high = CODE_POINT_KINDS[rng.choice(kinds + ["kanji"])]
            numeric[code] = rng.randint(low, high)
        line = bytes(rng.randrange(0xA1, 0xA1 + 40) for _ in range(36))
        shown = b"".join(b"(" + line + b") Tj 0 -14 Td " for _ in range(rng.randint(1, 40)))
        font = (b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /FirstChar 33 /LastChar 255 /Widths ["
                + b" 1000" * 223 + b"] /ToUnicode 6 0 R >>")
        data = hostile.one_page_pdf(b"BT /F1 10 Tf 40 800 Td " + shown + b"ET", font,
                                    [hostile.stream(hostile.to_unicode_cmap({}, numeric))])
        out.append((f"t{i:02d}_{'_'.join(k.replace(' ', '') for k in kinds)}.pdf", ", ".join(kinds), data))
    return out


def test_text_layer_mutants_are_read_or_rejected_and_what_is_read_is_text(tmp_path):
    import hashlib
    import json

    from pipeline.core.guarded_pool import guarded_map
    from pipeline.core.limits import Limits
    from pipeline.core.process import ReadJob, read_job

    made = text_layer_mutants()
    jobs = []
    for name, _, data in made:
        (tmp_path / name).write_bytes(data)
        jobs.append(ReadJob(str(tmp_path), str(tmp_path / name), hashlib.sha256(data).hexdigest(), "pdf", ".pdf", Limits()))
    outcomes = guarded_map(read_job, jobs, 2, PER_FILE_SECONDS, 1024)
    kinds = {name: what for name, what, _ in made}
    for job, outcome in zip(jobs, outcomes):
        name = Path(job.target).name
        assert outcome.error_kind is None, f"{name} ({kinds[name]}): {outcome.error_kind} {outcome.error}"
        extracted, reason, _ = outcome.value
        assert (extracted is None) != (reason is None), name
        if extracted is not None:  # whatever was read is storable text: no surrogate, no control
            encoded = json.dumps(extracted, ensure_ascii=False).encode("utf-8")
            assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]",
                                 "".join(t for t, _, _ in extracted["lines"])), name
            assert encoded
    reasons = [o.value[1] for o in outcomes if o.value[1] is not None]
    assert len(reasons) < len(outcomes), "every mutant refused: the mix is too hostile to test reading"
    assert any("unmapped glyphs" in r for r in reasons), reasons  # mostly private use / surrogates: refused
