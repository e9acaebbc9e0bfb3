"""A1/A2: the password policy and how passwords are stored."""

from __future__ import annotations

import random

import pytest
from argon2 import extract_parameters

from restora.accounts.passwords import (
    check_password, common_passwords, hash_password, needs_rehash, password_problems,
)

MODERN = "modern"


@pytest.mark.parametrize("length", [8, 64, 128])
def test_modern_accepts_lengths_8_to_128(length):
    password = ("Zq7&" * 40)[:length]
    assert password_problems(password, MODERN) == []


@pytest.mark.parametrize("length", [7, 129, 1025])
def test_modern_refuses_outside_8_to_128_and_says_why(length):
    problems = [str(p) for p in password_problems("x" * length, MODERN)]
    assert len(problems) == 1
    assert ("at least 8" if length < 8 else "at most 128") in problems[0]


def test_no_composition_rules():
    assert password_problems("correct horse battery", MODERN) == []
    assert password_problems("qzjvbnmpltrw", MODERN) == []  # letters only


def test_common_list_has_thousands_of_entries_and_they_are_refused():
    common = common_passwords()
    assert len(common) >= 3000
    eligible = sorted(p for p in common if 8 <= len(p) <= 128)
    for password in random.Random(4).sample(eligible, 20):
        problems = [str(p) for p in password_problems(password, MODERN)]
        assert problems and "common" in problems[0], password
    assert password_problems("PassWord1", MODERN)  # case does not help (password1 is on the list)


def test_username_and_site_name_refused():
    assert password_problems("alice_the_great", MODERN, username="Alice_The_Great")
    assert password_problems("alice_the_great2024!", MODERN, username="alice_the_great")
    assert password_problems("Restora2024", MODERN)
    assert password_problems("restora is where my photos live", MODERN) == []


def test_classic_policy_is_the_original_rule():
    assert password_problems("ab1!ef", "classic") == []
    assert password_problems("ab1!efghijklmnopqr", "classic") == []  # 18
    assert password_problems("ab1!e", "classic")  # 5 characters
    assert password_problems("ab1!efghijklmnopqrs", "classic")  # 19 characters
    assert any("special" in str(p) for p in password_problems("abc123def", "classic"))
    assert any("digit" in str(p) for p in password_problems("abc!defg", "classic"))
    assert any("letter" in str(p) for p in password_problems("123!4567", "classic"))


def test_hash_is_argon2id_with_owasp_parameters():
    stored = hash_password("correct horse battery")
    params = extract_parameters(stored)
    assert stored.startswith("$argon2id$")
    assert params.memory_cost >= 19 * 1024 and params.time_cost >= 2
    assert params.salt_len >= 16
    assert "correct horse battery" not in stored
    assert hash_password("correct horse battery") != stored  # salted


def test_no_truncation_and_exact_match():
    stored = hash_password("p" * 100)
    assert check_password(stored, "p" * 100)
    assert not check_password(stored, "p" * 100 + "x")
    assert not check_password(stored, "p" * 99)


def test_nfkc_equivalent_passwords_match():
    stored = hash_password("ｃｏｒｒｅｃｔ horse ﬁle")  # full-width letters and the "fi" ligature
    assert check_password(stored, "correct horse file")


def test_malformed_hash_is_a_mismatch_not_a_crash():
    assert not check_password("not-a-hash", "whatever")


def test_outdated_parameters_need_rehash():
    from argon2 import PasswordHasher

    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash("correct horse battery")
    assert needs_rehash(weak)
    assert not needs_rehash(hash_password("correct horse battery"))
