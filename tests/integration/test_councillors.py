"""R-E3: councillors imported from CSV, and who is eligible."""

from __future__ import annotations

from datetime import datetime

import pytest

from models.db import SessionFactory
from models.tables import Council
from services.councillors import eligible, import_councillors, parse_councillors_csv
from services.errors import Refused
from tests.refusals import refused_with

CSV = (
    "name,municipality,party,region\n"
    "Søren Ørsted,Aalborg,A,Nordjylland\n"
    "Anne Bæk,Thisted,V,\n"
    "Anne Bæk,Læsø,C,\n"
)


async def test_eligibility_matches_names_with_danish_letters_in_any_case(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    async with sessions() as session, session.begin():
        with pytest.raises(Refused) as refused:
            await eligible(session, council.id or 0, "Søren Ørsted")
        assert refused.value.code == "no_councillors"
        added = await import_councillors(
            session, council=council, rows=parse_councillors_csv(CSV), now=now
        )
        assert added == (3, 0)
        found = await eligible(session, council.id or 0, "søren ørsted")
        assert found.name == "Søren Ørsted" and found.party == "A"
        with pytest.raises(Refused) as refused:
            await eligible(session, council.id or 0, "Anne Bæk")
        assert refused.value.code == "councillor_ambiguous"
        assert (await eligible(session, council.id or 0, "Anne Bæk", "læsø")).party == "C"
        with pytest.raises(Refused) as refused:
            await eligible(session, council.id or 0, "Donald Duck")
        assert refused.value.code == "not_a_councillor"
        again = await import_councillors(
            session, council=council, rows=parse_councillors_csv(CSV), now=now
        )
        assert again == (0, 3)


def test_a_councillors_file_without_a_municipality_names_the_line() -> None:
    with refused_with("invalid_input", match="line 2: the municipality is empty"):
        parse_councillors_csv("name,municipality,party,region\nAnne,,A,\n")
    with refused_with("invalid_input", match="missing column"):
        parse_councillors_csv("name,party\nAnne,A\n")
