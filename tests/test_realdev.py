"""The structured fields on real statements nobody here wrote (../shared/realdev: 40 texts,
1990-2026, many countries; third-party texts read from ../shared only, never copied here). The
floors are what the extractors reach today: a change that loses ground on real text fails."""

import pytest

from pipeline.evaluate_command import SETS, score_set

# (precision, recall) reached, rounded down; officials are scored by name and country, the office apart
FLOORS = {
    "officials": (0.98, 0.94),
    "officials_office": (0.99, 0.99),
    "dates": (0.98, 0.96),
    "meeting_date": (0.97, 0.97),
    "doc_type": (0.97, 0.97),
}


@pytest.fixture(scope="module")
def realdev_scores():
    expected, statements = SETS["realdev"]
    if not statements.is_dir():
        pytest.skip("../shared/realdev is not beside the project")
    return score_set(expected, statements)


@pytest.mark.parametrize("field", sorted(FLOORS))
def test_realdev_scores_do_not_fall(realdev_scores, field):
    score = realdev_scores[field]
    precision, recall = FLOORS[field]
    assert score.precision is not None and score.precision >= precision, (field, score.precision, score.misses[:20])
    assert score.recall is not None and score.recall >= recall, (field, score.recall, score.misses[:20])
