"""The reviewed reference files hold together: ids resolve, dates are ordered, no variant names two
people, and the sector ids the seeds' README requires exist."""

import json

from pipeline.project import REFERENCE_DIR
from pipeline.resources import reference_data

REQUIRED_SECTORS = {
    "semiconductors", "batteries", "critical_minerals", "clean_energy", "hydrogen", "nuclear", "energy_security",
    "supply_chain", "export_control", "ai", "quantum", "biotech", "cybersecurity", "standards", "telecom",
    "data_flows", "esg", "investment", "ipef", "defense", "maritime_security", "north_korea",
    "development_finance", "health", "space", "economic_coercion",
}


ISO_CODES = set(json.loads((REFERENCE_DIR / "iso3166_alpha2.json").read_text(encoding="utf-8"))["codes"])


def test_gazetteer_is_consistent():
    g = reference_data().gazetteer
    assert g.people and g.offices
    for person in g.people.values():
        assert person.country in ISO_CODES | {"INT"}, person.person_id
        assert person.person_id.startswith(person.country.lower() + "-"), person.person_id
        for term in person.terms:
            assert term.office_id in g.offices, (person.person_id, term.office_id)
            assert term.end is None or term.start <= term.end, (person.person_id, term)
    owners = {}
    for person in g.people.values():
        for form in (person.name, *person.variants):
            key = g.key(form)
            assert owners.setdefault(key, person.person_id) == person.person_id, f"{form} names two people"


def test_every_office_has_a_holder_and_the_seed_people_are_there():
    g = reference_data().gazetteer
    held = {t.office_id for p in g.people.values() for t in p.terms}
    assert set(g.offices) <= held
    names = {p.name for p in g.people.values()}
    assert {"齋藤健", "ジーナ・レモンド", "安德根", "西村康稔", "マルコ・ルビオ", "岩屋毅", "趙顕"} <= names


def test_sector_taxonomy_has_the_required_ids_and_no_shared_terms():
    sectors = reference_data().sectors
    assert REQUIRED_SECTORS <= {s.sector_id for s in sectors}
    terms = [t for s in sectors for t in s.terms]
    assert len(terms) == len(set(terms))
    assert all(s.label_ja and s.label_en and s.terms for s in sectors)


def test_every_reference_file_says_what_it_is():
    for path in REFERENCE_DIR.glob("*.json"):
        assert json.loads(path.read_text(encoding="utf-8")).get("_about"), path.name


def test_every_person_and_office_names_its_country_consistently():
    g = reference_data().gazetteer
    for office in g.offices.values():
        assert office.country in ISO_CODES | {"INT"}, office.office_id
    for person in g.people.values():
        for term in person.terms:
            assert g.offices[term.office_id].country == person.country, (person.person_id, term.office_id)
