"""`seimei evaluate`: run the pipeline on each annotated set in a temporary folder and instance,
then print precision and recall per field (see evaluation.py)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import dagster as dg

from pipeline.evaluation import evaluate, format_per_file, format_scores, load_expected, realdev_expected
from pipeline.project import PROJECT_ROOT
from pipeline.runner import run

SETS = {
    "seeds": (PROJECT_ROOT.parent / "shared" / "seeds" / "expected.json", PROJECT_ROOT.parent / "shared" / "seeds" / "statements"),
    "gold": (PROJECT_ROOT / "tests" / "gold" / "expected.json", PROJECT_ROOT / "tests" / "gold" / "statements"),
    # third-party texts, read from ../shared only (never copied into the project)
    "realdev": (PROJECT_ROOT.parent / "shared" / "realdev" / "gold.json", PROJECT_ROOT.parent / "shared" / "realdev" / "statements"),
}


def score_set(expected_path: Path, statements: Path):
    with tempfile.TemporaryDirectory() as tmp, dg.instance_for_test(temp_dir=tmp) as instance:
        out = Path(tmp) / "published"
        run(str(statements), str(out), instance, echo=lambda *_: None)
        expected = load_expected(expected_path)
        if expected_path.name == "gold.json":  # realdev's own format
            expected = realdev_expected(expected)
        return evaluate(expected, out)


def evaluate_sets(verbose: bool = False, as_json: bool = False) -> int:
    """Scores per set; as_json: one JSON object {set: {field: {precision, recall, ...}}} on stdout."""
    printed, results = 0, {}
    for name, (expected, statements) in SETS.items():
        if not expected.exists() or not statements.is_dir():
            if as_json:
                results[name] = None
            else:
                print(f"{name}: not here ({statements}), skipped")
            continue
        scores = score_set(expected, statements)
        printed += 1
        if as_json:
            results[name] = {f: {"precision": s.precision, "recall": s.recall, "predictions_judged": s.n_pred,
                                 "expectations": s.n_exp, **({"misses": s.misses} if verbose else {})}
                             for f, s in scores.items()}
            continue
        print(format_scores(f"{name} ({statements})", scores))
        if verbose:
            print(format_per_file(scores))
            for s in scores.values():
                for miss in s.misses:
                    print("   ", miss)
    if as_json:
        print(json.dumps(results, ensure_ascii=False, indent=1))
    return 0 if printed else 1
