"""Progress for long runs: few run-log lines (each is a stored event), a bar for the terminal."""

import io

from pipeline.progress import Progress, TerminalBar, Tick, set_listener


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_progress_logs_at_start_every_few_seconds_and_at_the_end():
    clock, lines = FakeClock(), []
    progress = Progress("tokens", 1000, lines.append, log_every=5.0, clock=clock)
    for i in range(1000):
        clock.now += 1 / 64  # exact in binary: 15.625 s in all
        progress.advance(f"doc{i}.pdf")
    assert lines[0] == "tokens: 1000 document(s) to do"
    assert lines[-1] == "tokens: 1000/1000 done in 15.6 s"
    assert len(lines) == 1 + 3 + 1  # start, at 5, 10 and 15 s, end
    assert lines[1] == "tokens: 320/1000 (32 %), last doc319.pdf"


def test_the_listener_sees_every_document_and_the_bar_draws_done_of_total():
    ticks = []
    set_listener(ticks.append)
    try:
        progress = Progress("extracted_text", 3, lambda _: None)
        for name in ("a.pdf", "b.txt", "c.pdf"):
            progress.advance(name)
    finally:
        set_listener(None)
    assert [(t.done, t.total, t.current) for t in ticks] == [(1, 3, "a.pdf"), (2, 3, "b.txt"), (3, 3, "c.pdf")]
    out, clock = io.StringIO(), FakeClock()
    bar = TerminalBar(out, is_terminal=True, clock=clock)
    bar(Tick("extracted_text", 1, 4, "a.pdf"))
    bar(Tick("extracted_text", 2, 4, "b.txt"))  # within 0.1 s: not redrawn
    clock.now = 1.0
    bar(Tick("extracted_text", 4, 4, "d.pdf"))
    drawn = out.getvalue().split("\r\x1b[2K")
    assert drawn[1] == "extracted_text    [######------------------] 1/4 a.pdf"
    assert drawn[2] == "extracted_text    [########################] 4/4 d.pdf\n"
