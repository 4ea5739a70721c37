"""Officials named in a statement, resolved against the gazetteer (data/reference/officials.json).

Two passes over the text:
1. Patterns, not lists: <name>(reading)?<country>?<office> (ジーナ・レモンド米国商務長官,
   上川陽子外務大臣, 安 德根（アン・ドックン）韓国産業通商資源部長官) and <country>?<office><katakana name>
   (米国国務長官アントニー・ブリンケン). The office words come from the gazetteer; the name is
   whatever stands in the name slot, so a person the gazetteer lacks is still found (person_id null).
   A bracketed reading is part of the mention, not another person.
2. Gazetteer names and their variants (ケン斎藤, ジーナ・ライモンド, 安徳根) anywhere else, and
   family names alone (斎藤長官) for people the document has already named in full.
Names are compared with spaces and ・ removed and variant kanji folded (齋/斎/斉, 德/徳).
A title with no person (三大臣, 両閣僚, 外務大臣 as a role) makes no row.
"""

from __future__ import annotations

import bisect
import datetime as dt
from functools import lru_cache
import json
import re
from dataclasses import dataclass
from pathlib import Path

from pipeline.core.errors import RejectedInput
from pipeline.core.meeting import blank_not_countries
from pipeline.core.spans import Spans

_KANJI = r"[\u4e00-\u9fff\u3400-\u4dbf々]"
_KATAKANA_NAME = r"[ァ-ヴー]{2,}(?:[・=＝ ](?:[ァ-ヴー]{2,}|[A-ZＡ-Ｚ](?![A-Za-zＡ-Ｚａ-ｚ])))+(?:[・=＝ ][ァ-ヴー]{2,})?"  # ジョセフ・R・バイデン
_KATAKANA_WORD = r"[ァ-ヴー]{2,}(?![ァ-ヴー・=＝])"  # one word (ブッシュ), only right before an office
_KANJI_NAME = rf"{_KANJI}{{1,4}}?(?: {_KANJI}{{1,4}}?)?"  # lazy: a country prefix is not part of a name
_BEFORE_NAME = r"(?:(?<=^)|(?<=[、。，,\s「『（(【】\]］)）・:：\u3041-\u309f])|(?<=及び)|(?<=並びに))"  # punctuation or a particle
_READING = r"(?:\s*[（(][ァ-ヴぁ-ゖー・\s]+[）)])?"  # (ユン・ソンニョル), (り・こくきょう)
_NOT_A_NAME = re.compile(r"^(?:我が国|両国|三国|各国|本日|同日|政府|閣僚|両閣僚|三大臣|首脳|会合|共同|声明|先方|当方"
                         r"|先週|今週|来週|昨日|明日|今回|前回|次回|内閣|特命全権|新任|歴代|現職|同国|両氏|首席"
                         r"|担当|関係|所管|主要)$"
                         r"|^[同両新各現本当貴一二三四五六七八九十数全]$|^[〇一二三四五六七八九十百千]+$|[国省府庁会部局党兼]$")
_NEW = "新現"  # 山田新大使, 現大臣: a word about the post, not part of the name
_BARE_RANKS = ("大臣", "長官")  # posts that name no ministry: only a person's name may stand before them
_GENERIC_POST = "大臣|長官|首相|大統領|副委員長|委員長|委員|事務局長|事務総長|専務理事|上級代表|総裁|議長"
_FORMER = "元前故"  # 元総理, 前首相, 故…: a name slot ending so names no current office holder
_NOT_CURRENT = ("次期", "当時")
_TITLE_SUFFIX = r"(?:長官|大臣|首相|総理|大統領|外相|氏|議員|大使|代表|補佐官)"
_LOCAL_UNITS = "市州県省区都"  # …市知事, …州知事: the katakana before it is a place, not a name part
_SQUEEZED_OUT = " ・\u3000=＝"  # spaces and name separators: ジョー・バイデン, 岸田 文雄
_SQUEEZE = str.maketrans("", "", _SQUEEZED_OUT)
_KEPT_RUN = re.compile(f"[^{re.escape(_SQUEEZED_OUT)}]+")  # what _SQUEEZE keeps, run by run


@dataclass(frozen=True)
class Office:
    office_id: str
    country: str
    office: str
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class Term:
    office_id: str
    start: dt.date
    end: dt.date | None

    def covers(self, on: dt.date) -> bool:
        return self.start <= on and (self.end is None or on <= self.end)


@dataclass(frozen=True)
class Person:
    person_id: str
    name: str
    country: str
    variants: tuple[str, ...]
    short_names: tuple[str, ...]
    terms: tuple[Term, ...]


@dataclass(frozen=True)
class OfficialMention:
    person_id: str | None
    name: str
    surface: str
    office: str
    country: str
    char_start: int
    char_end: int
    full_form: bool = False  # the text gives the gazetteer person's full name (in any spelling)
    canonical: str | None = None  # the gazetteer's spelling of that name
    country_written: bool = False  # the country is the text's (米国商務長官, 中国の…), not a guess


def _date(s: str | None) -> dt.date | None:
    return dt.date.fromisoformat(s) if s else None


class Gazetteer:
    def __init__(self, offices: list[Office], people: list[Person], fold: dict[str, str], country_names: dict[str, str],
                 abbreviations: str = "", ministry_prefixes: dict[str, str] | None = None, ranks: tuple[str, ...] = ()):
        self.offices = {o.office_id: o for o in offices}
        self.people = {p.person_id: p for p in people}
        self._fold = str.maketrans(fold)
        self.country_names = country_names  # name -> ISO code
        self.abbreviations = abbreviations  # 日米韓…: a name made of these alone is a compound, not a person
        self.ministry_prefixes = ministry_prefixes or {}  # 経済産業 -> JP: <ministry><rank> offices not listed
        self.ranks = ranks
        self.abbreviation_codes: dict[str, str] = {}  # 米 -> US
        self.any_government: dict[str, str | None] = {}  # 大統領 -> None (any country), 国家主席 -> CN
        self.not_japanese: set[str] = set()  # offices Japan does not have: 大統領, 国王
        self.organisations: tuple[str, ...] = ()  # 国連, 欧州委員会: a post of theirs is INT
        self.not_countries: tuple[str, ...] = ()  # インド太平洋: contains a country's name, names no country
        self.office_words: dict[str, list[Office]] = {}
        for o in offices:
            for word in (o.office, *o.aliases):
                self.office_words.setdefault(word, []).append(o)
        self.forms: dict[str, str] = {}  # folded full-name form -> person_id
        for p in people:
            for form in (p.name, *p.variants):
                self.forms.setdefault(self.key(form), p.person_id)

    @classmethod
    def load(cls, officials_path: Path, variants_path: Path, countries_path: Path, patterns_path: Path | None = None,
             more_countries_path: Path | None = None) -> "Gazetteer":
        raw = json.loads(Path(officials_path).read_text(encoding="utf-8"))
        offices = [Office(o["office_id"], o["country"], o["office"], tuple(o.get("aliases", []))) for o in raw["offices"]]
        people = [
            Person(p["person_id"], p["name"], p["country"], tuple(p.get("variants", [])), tuple(p.get("short_names", [])),
                   tuple(Term(t["office_id"], _date(t["start"]), _date(t.get("end"))) for t in p.get("terms", [])))
            for p in raw["people"]
        ]
        fold = json.loads(Path(variants_path).read_text(encoding="utf-8"))["fold"]
        countries_file = json.loads(Path(countries_path).read_text(encoding="utf-8"))
        countries = countries_file["countries"]
        names = {n: c["code"] for c in countries for n in c["names"]}
        patterns = json.loads(Path(patterns_path).read_text(encoding="utf-8")) if patterns_path else {}
        if more_countries_path is not None:  # the rest of the world's countries, by name only
            for c in json.loads(Path(more_countries_path).read_text(encoding="utf-8"))["countries"]:
                for n in c["names"]:
                    names.setdefault(n, c["code"])
        g = cls(offices, people, fold, names, "".join(c["abbreviation"] for c in countries if c.get("abbreviation")),
                patterns.get("ministry_prefixes", {}), tuple(patterns.get("ranks", [])))
        g.abbreviation_codes = {c["abbreviation"]: c["code"] for c in countries if c.get("abbreviation")}
        g.organisations = tuple(patterns.get("international_organisations", ()))
        g.not_countries = tuple(countries_file.get("not_countries", ()))
        for entry in patterns.get("offices_of_any_government", []):
            g.any_government[entry["office"]] = entry.get("country")
            if entry.get("japan") is False:
                g.not_japanese.add(entry["office"])
        return g

    def key(self, text: str) -> str:
        return text.translate(_SQUEEZE).translate(self._fold)

    def held(self, person: Person, office_ids: set[str], on: dt.date | None) -> bool:
        return any(t.office_id in office_ids and (on is None or t.covers(on)) for t in person.terms)

    def held_office_named(self, person_id: str | None, office: str, on: dt.date | None) -> bool | None:
        """Did the person hold the office so named on that date? None when the gazetteer cannot say."""
        person = self.people.get(person_id) if person_id else None
        office_ids = {o.office_id for o in self.office_words.get(office, [])}
        if person is None or not office_ids or on is None:
            return None
        return self.held(person, office_ids, on)

    def office_held(self, person: Person, on: dt.date | None) -> Office | None:
        """The office the person held on the date; else the latest before it; else their latest."""
        terms = sorted(person.terms, key=lambda t: t.start)
        if on is not None:
            for t in terms:
                if t.covers(on):
                    return self.offices.get(t.office_id)
            earlier = [t for t in terms if t.start <= on]
            if earlier:
                return self.offices.get(earlier[-1].office_id)
        return self.offices.get(terms[-1].office_id) if terms else None


def _alternation(words) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


class OfficialsExtractor:
    def __init__(self, gazetteer: Gazetteer):
        self.g = gazetteer
        generic = rf"(?:{_alternation(gazetteer.ministry_prefixes)})(?:{_alternation(gazetteer.ranks)})" if gazetteer.ranks else ""
        self.generic_office = re.compile(rf"^({_alternation(gazetteer.ministry_prefixes)})") if generic else None
        office = "|".join(x for x in (_alternation([*gazetteer.office_words, *gazetteer.any_government]), generic) if x)
        # a country before an office: its name (米国, ブラジル) or its one-character form (米, 中, 露), but
        # not 日, which starts too many words to be read as Japan here
        abbreviations = "".join(a for a in gazetteer.abbreviation_codes if a != "日")
        country = _alternation(gazetteer.country_names) + (f"|[{abbreviations}](?=[^{abbreviations}])" if abbreviations else "")
        self.country_names_pattern = re.compile(_alternation(gazetteer.country_names))
        self.country_before = re.compile(rf"(?:{_alternation(gazetteer.country_names)})(?=(?:の|・|:|：|\s)$)")
        # a post no list holds, in the form of one, after a full foreign name: フィリップ・ハモンド外務英連邦大臣,
        # フェデリカ・モゲリーニ欧州連合外務・安全保障政策上級代表兼欧州委員会副委員長
        self.name_then_post = re.compile(
            rf"{_BEFORE_NAME}(?P<name>{_KATAKANA_NAME}){_READING}\s*・?(?P<country>{country})?"
            rf"(?P<office>[\u4e00-\u9fff・()（）A-Za-z]{{0,24}}?(?:{_GENERIC_POST}))(?![\u4e00-\u9fff])"
        )
        # posts joined by 兼 are one post (国務委員兼外交部長, 皇太子兼副首相); 駐中国大使 names the host
        office = rf"(?:(?:{office})兼)*(?:{office})|駐(?:{country})大使"
        self.name_first = re.compile(
            rf"{_BEFORE_NAME}(?P<name>{_KATAKANA_NAME}|{_KATAKANA_WORD}|[ァ-ヴー]{{2,}}(?=・(?:{country}))|{_KANJI_NAME}?){_READING}\s*"
            rf"(?:・(?=(?:{country})))?(?P<country>{country})?(?P<office>{office})"
        )
        # where a country or a post can start: lets the engine skip every other position at once
        starts = {w[0] for w in (*gazetteer.country_names, *gazetteer.abbreviation_codes, *gazetteer.office_words,
                                 *gazetteer.any_government, *gazetteer.ministry_prefixes, "駐") if w}
        first_char = "(?=[" + "".join(re.escape(c) for c in sorted(starts)) + "])"
        self.office_first = re.compile(
            rf"{first_char}(?P<country>{country})?(?P<office>{office})(?:である)?\s*"
            rf"(?P<name>{_KATAKANA_NAME}|{_KANJI}{{2,5}}(?=[、。，,はがと及の（(\s]|および|$))"
        )
        self.not_names = set(gazetteer.ministry_prefixes) | set(gazetteer.country_names)
        self.office_names = set(gazetteer.office_words) | set(gazetteer.any_government)
        self.country_at_end = re.compile(rf"(?:{_alternation(gazetteer.country_names)})$")
        # every gazetteer form at every position where one starts, the longest first: one scan of
        # the text, not one per form; the engine skips every position no form starts with at once
        form_starts = "".join(re.escape(c) for c in sorted({f[0] for f in gazetteer.forms if f}))
        self.forms_at = re.compile(rf"(?=[{form_starts}])(?=({_alternation(gazetteer.forms)}))") if form_starts else None
        self.form_prefixes = {f: [g for g in gazetteer.forms if g != f and f.startswith(g)] for f in gazetteer.forms}
        self.people_by_short_key: dict[str, list[Person]] = {}
        for person in gazetteer.people.values():
            for short in {gazetteer.key(n) for n in person.short_names}:
                self.people_by_short_key.setdefault(short, []).append(person)
        self.short_keys = set(self.people_by_short_key)

    def _code_of(self, country_word: str) -> str:
        return self.g.country_names.get(country_word) or self.g.abbreviation_codes[country_word]

    def _office_for(self, word: str, country_word: str | None, person: Person | None, context: str | None = None,
                    parties: frozenset[str] = frozenset(), foreign_name: bool = False,
                    most_named: str | None = None) -> tuple[str, str]:
        """(office text, ISO country) for an office word, by this order of evidence: the country
        written with the office (米国商務長官, ブッシュ米大統領); an office only one country has
        (国家主席); the gazetteer's person; the country named just before the person (中国の李強総理);
        for a foreign-looking name or an office Japan does not have (大統領), the document's one
        foreign party (日ブラジル首脳会談), or the one it names most; for a foreign name, an office only
        one foreign country has; else Japan. A bare office word alone never makes a
        foreigner Japanese when the text says otherwise."""
        if word.startswith("駐") and word.endswith("大使"):  # 駐中国大使: Japan's; 駐日大使: the sender's
            host = word[1:-2]
            host_code = self._code_of(host) if host in self.g.country_names or host in self.g.abbreviation_codes else None
            if host_code != "JP":
                return word, "JP" if not foreign_name else (context or host_code or "JP")
            return word, context or (person.country if person else None) or (sorted(parties - {"JP"}) or ["JP"])[0]
        word_written, word = word, word.rsplit("兼", 1)[-1]  # a joined post: its last part decides
        candidates = self.g.office_words.get(word, [])
        fixed = self.g.any_government.get(word) if not candidates else None
        if fixed is None and "兼" in word_written:  # 共産党政治局員兼外相: a part only one country has decides
            fixed = next((c for part in word_written.split("兼") if (c := self.g.any_government.get(part))), None)
        if not candidates and word not in self.g.any_government and not (self.generic_office and self.generic_office.match(word)):
            # a post in the form of one (…外務英連邦大臣): an organisation's, or the country's the text gives
            if any(org in word_written for org in self.g.organisations):
                return word_written, "INT"
            code = (self._code_of(country_word) if country_word else None) or context or \
                (sorted(parties - {"JP"})[0] if len(parties - {"JP"}) == 1 else None) or most_named or "JP"
            return word_written, code
        if not candidates and word not in self.g.any_government:  # <ministry><rank>, not in the gazetteer
            prefix = self.generic_office.match(word).group(1)  # イギリス:フィリップ・ハモンド外務英連邦大臣: the label's
            code = self._code_of(country_word) if country_word else context or self.g.ministry_prefixes[prefix]
            return word_written, code
        foreign = sorted(parties - {"JP"})
        if country_word:
            code = self._code_of(country_word)
        elif fixed:
            code = fixed
        elif person is not None:
            code = person.country
        elif context:
            code = context
        elif (foreign_name or word in self.g.not_japanese or (candidates and "JP" not in {o.country for o in candidates})) \
                and len(foreign) == 1:
            code = foreign[0]
        elif candidates and len({o.country for o in candidates}) == 1 and not foreign_name:
            code = candidates[0].country
        elif word in self.g.not_japanese and foreign:
            code = foreign[0]
        elif (foreign_name or word in self.g.not_japanese) and most_named:
            code = most_named  # the foreign country the document names most
        elif foreign_name and candidates and len(only := {o.country for o in candidates}) == 1 and only != {"JP"}:
            code = candidates[0].country  # a foreign name in a post only one foreign country has (国防長官)
        else:
            code = "JP"  # an office with no other evidence is Japanese
        return word_written, code  # the post as the text writes it (外相, not 外務大臣)

    def _split_country(self, name: str, country_word: str | None) -> tuple[str, str | None]:
        """マルコス・フィリピン + 大統領: the katakana country name is the office's prefix, not the name."""
        if country_word is None and (m := self.country_at_end.search(name)) is not None and m.start() > 0:
            return name[: m.start()].rstrip("・ "), m.group()
        return name, country_word

    def _is_name(self, name: str) -> bool:
        squeezed = name.replace(" ", "")
        if not squeezed or _NOT_A_NAME.search(squeezed):
            return False
        return not all(ch in self.g.abbreviations for ch in squeezed)

    def _by_short_name(self, name: str, office_word: str, on: dt.date | None) -> Person | None:
        """世耕経済産業大臣: a family name with an office resolves to the one person who had both then."""
        office_ids = {o.office_id for o in self.g.office_words.get(office_word, [])}
        if not office_ids:
            return None
        hits = [p for p in self.people_by_short_key.get(self.g.key(name), ()) if self.g.held(p, office_ids, on)]
        return hits[0] if len(hits) == 1 else None

    def _person_for(self, name: str) -> Person | None:
        pid = self.g.forms.get(self.g.key(name))
        if pid is None:  # a longer name slot that ends in a known name: 日本経済産業省ケン斎藤
            key = self.g.key(name)
            for form, candidate in self.g.forms.items():
                if len(form) >= 2 and key.endswith(form):
                    pid = candidate
                    break
        return self.g.people.get(pid) if pid else None

    def extract(self, text: str, meeting_date: dt.date | None, max_mentions: int = 0,
                parties: frozenset[str] = frozenset()) -> list[OfficialMention]:
        """max_mentions: RejectedInput when a document holds more (0: no cap). parties: the
        document's countries from its title or lead (日ブラジル首脳会談), the last evidence of a
        foreign official's country."""
        mentions = _CappedList(max_mentions)
        taken = Spans()
        free = taken.free
        most_named = self._most_named_foreign_country(text)

        for pattern in (self.name_first, self.office_first, self.name_then_post):
            for m in pattern.finditer(text):
                raw_name = m.group("name").strip()
                if raw_name and raw_name[-1] in _FORMER and self.g.key(raw_name) not in self.g.forms:
                    taken.add(m.start(), m.end())  # 森喜朗元総理, 小渕前総理: not a current holder
                    continue                       # (中谷元, a full name, is one)
                if text[max(0, m.start("office") - 2):m.start("office")] in _NOT_CURRENT or \
                        text[max(0, m.start("name") - 3):m.start("name")].rstrip("の") in _NOT_CURRENT:
                    continue  # 次期大統領, 当時の福田赳夫総理
                name, country_word = self._split_country(raw_name, m.group("country"))
                place = ""
                if m.group("office")[:1] in _LOCAL_UNITS and re.search(r"・[ァ-ヴー]{2,}$", name):
                    name, place = name.rsplit("・", 1)  # マトヴィエンコ・サンクトペテルブルク市知事: a city's post
                if re.fullmatch(rf"{_KANJI}{{2,5}}", name) and name[-1] in _NEW and self.g.key(name) not in self.g.forms:
                    name = name[:-1]  # 山田新大使: the new ambassador 山田
                if not self._is_name(name) or name in self.not_names or not free(m.start(), m.end()):
                    continue
                if name + m.group("office") in self.office_names:
                    continue  # 国務院総理, 副総理: the name slot holds the start of a longer post
                if pattern is self.office_first and m.group("office") in _BARE_RANKS:
                    continue  # 長官ジーナ・ライモンド is a cut 商務長官: a bare rank goes after the name only
                if m.group("office") in _BARE_RANKS and not m.group("country") and re.fullmatch(rf"{_KANJI}+", name) \
                        and not self._known_or_person_name(name):
                    continue  # 産業大臣, 三大臣: before a bare rank a kanji word must be a person's name
                person = self._person_for(name) or self._by_short_name(name, m.group("office"), meeting_date)
                if person is None and re.fullmatch(rf"{_KANJI}{{3,5}}", name):  # 続中山外相: a stray character before
                    for cut in (1, 2):
                        person = self._by_short_name(name[cut:], m.group("office"), meeting_date)
                        if person is not None:
                            name = name[cut:]
                            break
                if person is None and pattern is self.office_first and not re.match(r"[ァ-ヴー]", name):
                    continue  # a kanji word after an office is a name only when the gazetteer knows it
                start = m.start("name") if pattern is self.name_first else m.start()
                context = self._country_just_before(text, start)
                office, country = self._office_for(m.group("office"), country_word, person, context, parties,
                                                   foreign_name=bool(re.match(r"[ァ-ヴー]", name)), most_named=most_named)
                mentions.append(OfficialMention(
                    person_id=person.person_id if person else None,
                    name=name.replace(" ", ""),
                    surface=m.group(), office=place + office, country=country,
                    char_start=m.start(), char_end=m.end(),
                    full_form=person is not None and self.g.forms.get(self.g.key(name)) == person.person_id,
                    canonical=person.name if person else None,
                    country_written=bool(country_word or context),
                ))
                taken.add(m.start(), m.end())

        squeezed, index = self._squeezed(text)
        named: set[str] = {x.person_id for x in mentions if x.person_id}
        candidates = []  # (form, where it starts in the squeezed text): every form at every position
        for m in self.forms_at.finditer(squeezed) if self.forms_at else ():
            candidates += [(form, m.start()) for form in (m.group(1), *self.form_prefixes[m.group(1)])]
        for form, at in sorted(candidates, key=lambda fa: (-len(fa[0]), fa[1])):  # longest first, as they stand
            pid = self.g.forms[form]
            start, end = index[at], index[at + len(form) - 1] + 1
            if free(start, end):
                taken.add(start, end)
                if not self._in_office(pid, meeting_date) or text[end:end + 1] in _FORMER or text[end:end + 1] == "氏":
                    continue  # named, but not as a current office holder (森喜朗元総理, in 2007; 林芳正氏)
                mentions.append(self._gazetteer_mention(pid, text, start, end, meeting_date, full_form=True))
                named.add(pid)
        folded = text.translate(self.g._fold)  # one character for one: offsets stay exact
        for pid in sorted(named):
            person = self.g.people[pid]
            for short in sorted({s.translate(self.g._fold) for s in person.short_names}):
                for m in _short_name_pattern(short).finditer(folded):
                    if free(m.start(), m.end()):
                        mentions.append(self._gazetteer_mention(pid, text, m.start(), m.end(), meeting_date))
                        taken.add(m.start(), m.end())
        return _fullest_names(sorted(mentions, key=lambda x: x.char_start), self._short_names_of)

    def _short_names_of(self, person_id: str, name: str) -> bool:
        """Is name one of the gazetteer person's family names (斎藤 for 齋藤健, spellings folded)?"""
        return any(p.person_id == person_id for p in self.people_by_short_key.get(self.g.key(name), ()))

    def _known_or_person_name(self, name: str) -> bool:
        """A name the gazetteer knows (in full or as a family name), or one Sudachi reads as a
        person's name (高村, 黄川田)."""
        key = self.g.key(name)
        if key in self.g.forms or key in self.short_keys:
            return True
        return _sudachi_person_name(name)

    def _most_named_foreign_country(self, text: str) -> str | None:
        """The foreign country whose names the text uses most (メキシコ in an embassy's notice). A word
        that only contains a name (インド太平洋, インドネシア) names no country: a defence statement
        that says インド太平洋 five times is not about India."""
        text = blank_not_countries(text, self.g.not_countries)
        counts: dict[str, int] = {}
        for m in self.country_names_pattern.finditer(text):  # one pass, longest name first (メキシコ合衆国)
            code = self.g.country_names[m.group()]
            counts[code] = counts.get(code, 0) + 1
        foreign = {c: n for c, n in counts.items() if c != "JP"}
        return max(sorted(foreign), key=foreign.get) if foreign else None

    def _in_office(self, pid: str, on: dt.date | None) -> bool:
        """The gazetteer's person held some office on the meeting date (unknown date: yes)."""
        person = self.g.people[pid]
        return on is None or not person.terms or any(t.covers(on) for t in person.terms)

    def _country_just_before(self, text: str, start: int) -> str | None:
        """中国の李強総理, 韓国・尹錫悦大統領: the country named right before a person."""
        m = self.country_before.search(text, max(0, start - 24), start)
        return self.g.country_names[m.group()] if m else None

    def _gazetteer_mention(self, pid: str, text: str, start: int, end: int, on: dt.date | None,
                           full_form: bool = False) -> OfficialMention:
        person = self.g.people[pid]
        office = self.g.office_held(person, on)
        return OfficialMention(pid, text[start:end].replace(" ", "").replace("\u3000", ""), text[start:end],
                               office.office if office else "", office.country if office else person.country, start, end,
                               full_form=full_form, canonical=person.name)

    def _squeezed(self, text: str) -> tuple[str, "_KeptPositions"]:
        """The text without spaces and name separators (ジョー・バイデン, 岸田 文雄), folded, and where
        each of its characters stands in the text."""
        return text.translate(_SQUEEZE).translate(self.g._fold), _KeptPositions(text)


class _KeptPositions:
    """index[k]: the text's position of the squeezed text's k-th character. Kept as the runs
    between removed characters (a few per document), not one integer per character."""

    def __init__(self, text: str):
        self.squeezed_starts: list[int] = []
        self.text_starts: list[int] = []
        kept = 0
        for m in _KEPT_RUN.finditer(text):
            self.squeezed_starts.append(kept)
            self.text_starts.append(m.start())
            kept += m.end() - m.start()

    def __getitem__(self, k: int) -> int:
        run = bisect.bisect_right(self.squeezed_starts, k) - 1
        return self.text_starts[run] + k - self.squeezed_starts[run]


class _CappedList(list):
    """The mentions of one document, refused past the cap (a text of 40,000 office names is no
    statement, and its rows would be)."""

    def __init__(self, cap: int):
        super().__init__()
        self.cap = cap

    def append(self, item) -> None:
        if self.cap and len(self) >= self.cap:
            raise RejectedInput(f"too many officials' mentions: more than {self.cap:,} found, over the limit "
                                "for one statement")
        super().append(item)


def _fullest_names(mentions: list[OfficialMention], is_short_name_of=lambda person_id, name: False) -> list[OfficialMention]:
    """Each person under the fullest form of their name the document gives: a gazetteer person
    whose full name the text gives (in any spelling: 斎藤健, ケン斎藤) under the gazetteer's
    spelling, one the text names only in short (安倍総理) under that short form; a person the
    gazetteer lacks under the longest name of the same country that begins with the short one
    (王毅 for a later 王外相)."""
    from dataclasses import replace

    longest: dict[str, str] = {}
    canonical = {m.person_id: m.canonical for m in mentions if m.person_id and m.full_form and m.canonical}
    for m in mentions:
        if m.person_id and len(m.name.replace("・", "")) > len(longest.get(m.person_id, "").replace("・", "")):
            longest[m.person_id] = m.name
    longest.update(canonical)
    by_country: dict[str, list[str]] = {}
    for m in mentions:
        if m.person_id is None:
            by_country.setdefault(m.country, []).append(m.name)
    written = {}  # name -> the countries the text writes for it (アイルランガ・インドネシア工業大臣)
    for m in mentions:
        if m.country_written and not m.person_id:
            written.setdefault(m.name, set()).add(m.country)
    mentions = [replace(m, country=next(iter(written[m.name])))
                if not m.person_id and not m.country_written and len(written.get(m.name, ())) == 1 else m
                for m in mentions]  # a later アイルランガ工業大臣: the country written with the first
    named = []
    for m in mentions:
        if not m.person_id:  # ライモンド長官 after ジーナ・ライモンド: the gazetteer's person the text named in full
            people = {x.person_id for x in mentions if x.person_id and (
                (len(x.name) > len(m.name) and _contains_name(x.name, m.name)) or is_short_name_of(x.person_id, m.name))}
            if len(people) == 1:
                person_id = people.pop()
                country = next(x.country for x in mentions if x.person_id == person_id)
                named.append(replace(m, name=longest[person_id], person_id=person_id, country=country))
                continue
        if m.person_id:
            name = longest[m.person_id]
        else:
            fuller = [n for n in by_country.get(m.country, []) if len(n) > len(m.name) and _contains_name(n, m.name)]
            name = max(fuller, key=len) if fuller else m.name
        if name == m.name and not m.person_id:  # 李首相 after 李強国務院総理: the one fuller name, any country
            anywhere = {(x.name, x.country, x.person_id) for x in mentions
                        if len(x.name) > len(m.name) and _contains_name(x.name, m.name)}
            if len(anywhere) == 1:
                name, country, person_id = anywhere.pop()
                named.append(replace(m, name=longest.get(person_id, name) if person_id else name, country=country,
                                     person_id=person_id))
                continue
        named.append(m if name == m.name else replace(m, name=name))
    # and under the fullest post the text gives them (岸田総理 after 岸田文雄内閣総理大臣), when one
    # post contains the other: two different posts of one person stay two
    posts: dict[tuple, list[str]] = {}
    for m in named:
        posts.setdefault((m.person_id or m.name, m.country), []).append(m.office)
    out = []
    for m in named:
        # a bare rank (斎藤長官) takes the person's fullest post outright
        fuller = [o for o in posts[(m.person_id or m.name, m.country)]
                  if len(o) > len(m.office) and (m.office in o or m.office in _BARE_RANKS)]
        out.append(replace(m, office=max(fuller, key=len)) if fuller and m.office else m)
    return out


def _contains_name(full: str, short: str) -> bool:
    """王毅 begins with 王; ジョン・ケリー has the part ケリー, ルトノ・L・P・マルスディ the part ルトノ,
    ゴズィ・オコンジョ=イウェアラ the parts オコンジョ=イウェアラ."""
    if re.fullmatch(r"[ァ-ヴー]+(?:[・=＝ ][ァ-ヴー]+)*", short):
        parts, want = re.split(r"[・=＝ ]", full), re.split(r"[・=＝ ]", short)
        return any(parts[i:i + len(want)] == want for i in range(len(parts) - len(want) + 1))
    return full.startswith(short)


@lru_cache(maxsize=4096)
def _sudachi_person_name(name: str) -> bool:
    from pipeline.core.tokenize import tokenize_sentences

    tokens = tokenize_sentences(name, [(0, len(name))])
    return bool(tokens) and any(",人名," in f",{t.pos}," for t in tokens) and all(t.pos.startswith("名詞") for t in tokens)


@lru_cache(maxsize=4096)
def _short_name_pattern(short: str) -> re.Pattern:
    """A family name alone (斎藤長官, 斎藤は): compiled once per name, not once per document."""
    suffix = _TITLE_SUFFIX if len(short) == 1 else rf"(?:{_TITLE_SUFFIX}|(?![ァ-ヴー]|{_KANJI}))"
    return re.compile(rf"(?<![ァ-ヴー\u4e00-\u9fff]){re.escape(short)}(?={suffix})")
