"""Member municipalities as people write them, by CBS code or by name: the one reading the woondeal form and the
template share (issue #17 review, finding 3), so both accept the same names with the same errors and
suggestions (geo.matching: "Onbekende gemeente 'Atlantis'. Bedoelde u: …?")."""

from datetime import date, timedelta

from bouwregie.geo.matching import matcher_from_database, normalise_code, normalise_name
from bouwregie.geo.models import Municipality, MunicipalityMerger


class MemberReader:
    """Resolves what a user wrote for a member to a CBS code (current or former). Built once per form or file:
    it reads the municipalities and mergers from the database."""

    def __init__(self):
        self.matcher = matcher_from_database()
        names = dict(Municipality.objects.values_list("code", "name"))
        self.current = set(names)
        self.former = {c: (n, d) for c, n, d in MunicipalityMerger.objects.values_list("former_code", "former_name",
                                                                                        "date")}  # fmt: skip
        # Names with a comma in them ("Nuenen, Gerwen en Nederwetten"), so a comma-separated list keeps them whole.
        self.comma_names = {normalise_name(n) for n in [*names.values(), *(n for n, _d in self.former.values())]
                            if "," in n}  # fmt: skip

    def code(self, text: str, until: date | None = None) -> str:
        """A member as the user wrote it: a CBS code (current or former) is kept as written; a name is resolved as
        imports do (geo.matching; MunicipalityNotFound or AmbiguousMunicipality with the suggestions). A former
        municipality's name with an end date up to its merger means the former municipality itself (its
        membership ended then), otherwise the successor."""
        code = normalise_code(text)
        if code and (code in self.current or code in self.former):
            return code
        match = self.matcher.resolve(text)
        if match.via == "herindeling" and until is not None:
            key = normalise_name(text)
            for former_code, (name, day) in self.former.items():
                if normalise_name(name) == key and until <= day + timedelta(days=1):
                    return former_code
        return match.code

    def split(self, text: str, tail=lambda part: part) -> list[str]:
        """A comma-separated list of members as its parts, a municipality whose name has a comma kept whole.
        `tail` strips what may follow a name in a part (the template's 'vanaf …'/'tot …') before the name is
        compared."""
        parts = [p.strip() for p in text.split(",")]
        result, i = [], 0
        while i < len(parts):
            for j in range(len(parts), i + 1, -1):  # the longest run of parts that is one name with commas
                joined = ", ".join(parts[i:j])
                if normalise_name(tail(joined)) in self.comma_names:
                    result.append(joined)
                    i = j
                    break
            else:
                result.append(parts[i])
                i += 1
        return result
