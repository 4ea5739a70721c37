"""The reviewed reference data in data/reference/, loaded into the objects the core uses."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from pipeline.core.document_meta import DocumentTypeRules
from pipeline.core.officials import Gazetteer
from pipeline.core.sectors import Sector, load_sectors


class ReferenceDataError(Exception):
    """Reviewed reference data that cannot be used: one sentence naming the file and the fault.
    Raised before any document work, so no run stops half-way on it."""


# parts of speech that name a subject: a sector term with none of them (「の」「について」「、」)
# is made of particles, verbs and symbols and would match nearly every text
CONTENT_POS = ("名詞", "形状詞")


def _read_json(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ReferenceDataError(f"reference data {path.name} is missing from {path.parent.name}/") from None
    except UnicodeDecodeError as exc:
        raise ReferenceDataError(f"reference data {path.name} is not UTF-8 ({exc.reason} at byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise ReferenceDataError(f"reference data {path.name} is not valid JSON: {exc.msg} at line {exc.lineno}, "
                                 f"column {exc.colno} (truncated or mis-edited?)") from None


def check_reference(ref: "ReferenceData", allowed_doc_types: frozenset[str] | None = None,
                    parts_of_speech=None) -> None:
    """The values documents will carry must be ones the tables accept, and no sector term may
    match nearly every text: a junk term such as 「の」 tags every document. A term is junk when it
    is a single character or (given parts_of_speech: term -> the POS of its tokens) has no noun
    or adjectival noun in it."""
    for sector in ref.sectors:
        for term in sector.terms:
            stripped = term.strip()
            junk = len(stripped) < 2 or (parts_of_speech is not None and not any(
                pos.split(",")[0] in CONTENT_POS for pos in parts_of_speech(stripped)))
            if junk:
                raise ReferenceDataError(f"reference data sectors.json: sector {sector.sector_id} has the term "
                                         f"{term!r}, which would match nearly every document")
    if allowed_doc_types is not None:
        named = {t for t, _ in ref.document_types.title_markers} | {"news_article"}
        unknown = sorted(named - set(allowed_doc_types))
        if unknown:
            raise ReferenceDataError(f"reference data document_types.json names document types the documents "
                                     f"table does not allow: {', '.join(unknown)} (allowed: {', '.join(sorted(allowed_doc_types))})")


REFERENCE_FILES = ("countries.json", "document_types.json", "officials.json", "name_variants.json",
                   "office_patterns.json", "sectors.json", "places.json", "cjk_folding.json", "countries_more.json")


@dataclass(frozen=True)
class ReferenceData:
    document_types: DocumentTypeRules
    gazetteer: Gazetteer
    sectors: list[Sector]
    country_abbreviations: dict[str, str]  # 米 -> US
    country_names: dict[str, str]  # 米国 -> US
    not_countries: tuple[str, ...]  # インド太平洋: contains a name, names no party
    places: list[str]

    @classmethod
    def load(cls, folder: Path) -> "ReferenceData":
        """Every file read and turned into objects; ReferenceDataError (one sentence naming the
        file) for a file that is missing, not JSON, or lacks what the loaders need."""
        folder = Path(folder)
        for name in REFERENCE_FILES:
            _read_json(folder / name)  # each file parses, or a sentence naming it
        try:
            return cls._load(folder)
        except ReferenceDataError:
            raise
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ReferenceDataError(f"reference data in {folder.name}/ does not have the expected shape: "
                                     f"{type(exc).__name__} {exc} (a mis-edited entry?)") from None

    @classmethod
    def _load(cls, folder: Path) -> "ReferenceData":
        countries = json.loads((folder / "countries.json").read_text(encoding="utf-8"))["countries"]
        gazetteer = Gazetteer.load(folder / "officials.json", folder / "name_variants.json", folder / "countries.json",
                                   folder / "office_patterns.json", folder / "countries_more.json")
        return cls(
            document_types=DocumentTypeRules.load(folder / "document_types.json"),
            gazetteer=gazetteer,
            sectors=load_sectors(folder / "sectors.json"),
            country_abbreviations={c["abbreviation"]: c["code"] for c in countries if c.get("abbreviation")},
            country_names={n: c["code"] for c in countries for n in c["names"]},
            not_countries=gazetteer.not_countries,  # read from countries.json with the gazetteer
            places=json.loads((folder / "places.json").read_text(encoding="utf-8"))["places"],
        )
