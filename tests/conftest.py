import os
from pathlib import Path

import pytest

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
SEED_FIXTURES = FIXTURES / "seeds"
SAMPLE_INBOX = ROOT / "data" / "raw"
SHARED = ROOT.parent / "shared"
SHARED_SEEDS = SHARED / "seeds"


@pytest.fixture(scope="session")
def seed_texts() -> dict[str, str]:
    return {p.stem[:3]: p.read_text(encoding="utf-8") for p in sorted(SEED_FIXTURES.glob("*.txt"))}
