import importlib.util
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


def load_script(name: str):
    """A module from scripts/ (which is not a package), for tests that compare a generated file
    with what its script renders now."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
