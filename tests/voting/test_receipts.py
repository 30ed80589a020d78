"""Receipts are spelled two letters a step, as they were one letter a step."""

from hypothesis import given, settings
from hypothesis import strategies as st

from nominations.intake import CODE_ALPHABET
from voting.receipts import RECEIPT_LENGTH, clean_receipt, new_receipt, spelled


def one_letter_a_step(n: int) -> str:
    letters = []
    for _ in range(RECEIPT_LENGTH):
        n, i = divmod(n, len(CODE_ALPHABET))
        letters.append(CODE_ALPHABET[i])
    return "".join(letters)


@settings(max_examples=2000, deadline=None)
@given(st.integers(min_value=0, max_value=2**128 - 1))
def test_spelled_is_the_base_24_digits_lowest_first(n):
    assert spelled(n) == one_letter_a_step(n)


def test_spelled_at_the_edges():
    assert [spelled(0), spelled(1), spelled(24), spelled(24**10 - 1)] == [
        "AAAAAAAAAA",
        "CAAAAAAAAA",
        "ACAAAAAAAA",
        "9999999999",
    ]


def test_a_new_receipt_is_one_the_public_check_reads():
    code = new_receipt()

    assert clean_receipt(code) == code and len(code) == RECEIPT_LENGTH
