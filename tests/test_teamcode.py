from __future__ import annotations

import pytest

from facilitator import teamcode


def test_a_new_code_is_grouped_and_verifies_against_its_hash() -> None:
    code, key = teamcode.new_code()
    assert len(code) == 19 and code.count("-") == 3 and code.startswith(key + "-")
    stored = teamcode.hash_code(code, iterations=1000)
    assert code not in stored and code.replace("-", "") not in stored
    assert teamcode.verify_code(code, stored)


def test_codes_are_random() -> None:
    assert len({teamcode.new_code()[0] for _ in range(200)}) == 200


def test_typing_slips_are_forgiven() -> None:
    code, _ = teamcode.new_code()
    stored = teamcode.hash_code(code, iterations=1000)
    sloppy = " " + code.lower().replace("-", " ") + " "
    assert teamcode.verify_code(sloppy, stored)
    assert teamcode.normalise("ab0o-1il1-uuvv-2222") == "AB00-1111-VVVV-2222"


def test_a_wrong_code_does_not_verify() -> None:
    code, _ = teamcode.new_code()
    other, _ = teamcode.new_code()
    stored = teamcode.hash_code(code, iterations=1000)
    assert not teamcode.verify_code(other, stored)
    assert not teamcode.verify_code("", stored)
    assert not teamcode.verify_code(code, "not-a-hash")


@pytest.mark.parametrize("bad", ["", "ABCD", "ABCD-EFGH-JKMN-PQRS-TVWX", "ÆØÅ!-ABCD-EFGH-JKMN"])
def test_text_that_cannot_be_a_code_is_rejected(bad: str) -> None:
    with pytest.raises(teamcode.InvalidCode):
        teamcode.normalise(bad)
