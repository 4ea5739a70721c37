"""The reviewed reference data in data/reference/, loaded into the objects the core uses."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from pipeline.core.document_meta import DocumentTypeRules
from pipeline.core.officials import Gazetteer
from pipeline.core.sectors import Sector, load_sectors


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
        folder = Path(folder)
        countries = json.loads((folder / "countries.json").read_text(encoding="utf-8"))["countries"]
        return cls(
            document_types=DocumentTypeRules.load(folder / "document_types.json"),
            gazetteer=Gazetteer.load(folder / "officials.json", folder / "name_variants.json", folder / "countries.json",
                                     folder / "office_patterns.json"),
            sectors=load_sectors(folder / "sectors.json"),
            country_abbreviations={c["abbreviation"]: c["code"] for c in countries if c.get("abbreviation")},
            country_names={n: c["code"] for c in countries for n in c["names"]},
            not_countries=tuple(json.loads((folder / "countries.json").read_text(encoding="utf-8")).get("not_countries", [])),
            places=json.loads((folder / "places.json").read_text(encoding="utf-8"))["places"],
        )
