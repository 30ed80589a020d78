"""The HMACs keyed once per key give what ``hmac.new`` gives, call after call."""

import hashlib
import hmac

from hypothesis import given, settings
from hypothesis import strategies as st

from campaign import hmacs, phones, sms_inbound

# A few keys drawn again and again: the second call with a key reuses its keyed copy.
KEYS = (
    st.sampled_from(["k", "bench-secret-key-that-is-long-enough-0123456789", "é" * 70]) | st.text()
)
DIGESTS = st.sampled_from(["sha256", "sha1"])


@settings(max_examples=500, deadline=None)
@given(KEYS, st.binary(max_size=300), DIGESTS, st.text(max_size=20))
def test_hex_digest_is_hmac_new(key, message, digest, prefix):
    expected = hmac.new(key.encode(), prefix.encode() + message, digest).hexdigest()

    assert hmacs.hex_digest(key, message, digest, prefix) == expected


@settings(max_examples=500, deadline=None)
@given(KEYS, st.binary(max_size=300), DIGESTS)
def test_digest_is_hmac_new(key, message, digest):
    assert hmacs.digest(key, message, digest) == hmac.new(key.encode(), message, digest).digest()


@settings(max_examples=500, deadline=None)
@given(KEYS, st.text(max_size=40), st.sampled_from(["phone", "voter", "sms-reply", "x"]))
def test_keyed_hash_is_hmac_new(key, value, purpose):
    message = f"{purpose}:{value}".encode()

    assert phones.keyed_hash(key, value, purpose) == (
        hmac.new(key.encode(), message, hashlib.sha256).hexdigest()
    )


def test_hex_digest_twice_with_one_key_does_not_carry_the_first_message():
    first = hmacs.hex_digest("key", b"one")
    second = hmacs.hex_digest("key", b"two")

    assert (first, second) == (
        hmac.new(b"key", b"one", "sha256").hexdigest(),
        hmac.new(b"key", b"two", "sha256").hexdigest(),
    )


def test_signature_ok_on_the_gateways_hmac_of_the_body():
    body = b"from=%2B22376123456&text=ICON+3&id=gw-1"
    good = "sha256=" + hmac.new(b"sms-secret", body, hashlib.sha256).hexdigest()

    assert [
        sms_inbound.signature_ok("sms-secret", body, good),
        sms_inbound.signature_ok("sms-secret", body, good.upper().replace("SHA256=", "sha256=")),
        sms_inbound.signature_ok("other-secret", body, good),
        sms_inbound.signature_ok("sms-secret", body + b"x", good),
    ] == [True, True, False, False]
