"""Password policy and hashing.

Policy "modern" follows NIST 800-63B / ASVS 5.0 V6: 8 to 128 characters counted as Unicode code points after
NFKC normalisation, no composition rules, refused when it is a common password (10,000 most common, shipped
in ``data/common-passwords.txt``), the username or the app's name. Policy "classic" is the original product
rule: 6 to 18 characters with at least one letter, one digit and one special character.

Hashing is argon2id at OWASP's parameters (m = 19 MiB, t = 2, p = 1) on the NFKC-normalised password.

The rule and the problems are English texts marked with ``N_``; a :class:`Problem` keeps its numbers apart so
the site can translate the text first and fill them in after.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

from restora.i18n import N_

MODERN_MIN, MODERN_MAX = 8, 128
CLASSIC_MIN, CLASSIC_MAX = 6, 18

HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1, hash_len=32, salt_len=16, type=Type.ID)


@dataclass(frozen=True)
class Problem:
    """One thing to change about a password: ``text`` (English, translatable) with ``%(name)d`` places."""

    text: str
    values: dict[str, int] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.text % self.values if self.values else self.text


def normalise(password: str) -> str:
    """NFKC, so the same password typed on two keyboards (full-width digits, ligatures) matches."""
    return unicodedata.normalize("NFKC", password)


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    text = resources.files("restora.accounts").joinpath("data/common-passwords.txt").read_text(encoding="utf-8")
    return frozenset(line.lower() for line in text.splitlines() if line and not line.startswith("#"))


def password_rule(policy: str) -> str:
    """The policy in one sentence, shown under password fields."""
    if policy == "classic":
        return N_("6 to 18 characters, with at least one letter, one digit and one special character.")
    return N_("8 to 128 characters. A few words in a row make a strong password; common passwords are refused.")


def password_problems(password: str, policy: str, username: str = "") -> list[Problem]:
    """What is wrong with ``password`` under ``policy``, as messages telling the user what to change."""
    password = normalise(password)
    if policy == "classic":
        return _classic_problems(password)
    problems = []
    if len(password) < MODERN_MIN:
        problems.append(Problem(N_("Use at least %(n)d characters."), {"n": MODERN_MIN}))
    elif len(password) > MODERN_MAX:
        problems.append(Problem(N_("Use at most %(n)d characters."), {"n": MODERN_MAX}))
    lowered = password.lower()
    if lowered in common_passwords():
        problems.append(Problem(N_("This is one of the most common passwords; choose one that is harder to guess.")))
    elif _is_context_word(lowered, username):
        problems.append(Problem(N_("Do not use your username or the site's name as your password.")))
    return problems


def _is_context_word(lowered: str, username: str) -> bool:
    """The username or the site's name, perhaps with digits or punctuation after it ("restora2024!")."""
    stem = lowered.rstrip("0123456789!@#$%^&*()-_=+.,?~ ")
    return stem in {username.lower(), "restora"} and bool(stem)


def _classic_problems(password: str) -> list[Problem]:
    problems = []
    if not CLASSIC_MIN <= len(password) <= CLASSIC_MAX:
        problems.append(Problem(N_("Use %(low)d to %(high)d characters."), {"low": CLASSIC_MIN, "high": CLASSIC_MAX}))
    if not any(ch.isalpha() for ch in password):
        problems.append(Problem(N_("Include at least one letter.")))
    if not any(ch.isdigit() for ch in password):
        problems.append(Problem(N_("Include at least one digit.")))
    if all(ch.isalnum() for ch in password):
        problems.append(Problem(N_("Include at least one special character, such as ! or #.")))
    return problems


def hash_password(password: str) -> str:
    return hash_secret(normalise(password))


def hash_secret(secret: str) -> str:
    """The argon2id hash of ``secret`` (passwords and emailed codes alike)."""
    return HASHER.hash(secret)


def check_password(stored_hash: str, password: str) -> bool:
    """True when ``password`` matches; a malformed stored hash counts as a mismatch."""
    try:
        return HASHER.verify(stored_hash, normalise(password))
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return HASHER.check_needs_rehash(stored_hash)


# A hash of nothing anybody knows: verifying against it when a user does not exist costs the same time as
# a real check, so response time does not tell who has an account.
@lru_cache(maxsize=1)
def dummy_hash() -> str:
    return hash_secret("restora-no-such-user")
