"""The wire models: one bilingual text type, strict shapes, and the reply signature's parts."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import ValidationError

from inspector_protocol import keys, tags
from inspector_protocol.messages import ALL_MODELS, ErrorResponse, EventResult, IssuerKeyEntry
from inspector_protocol.text import Text
from inspector_protocol.wire import ReplyBinding, ReplySignature


def test_an_error_body_reads_and_writes_the_one_text_type() -> None:
    body = {"protocol": "inspector-sync/1",
            "error": {"code": "auth.token", "message": {"zh": "请重新注册 {x}", "en": "Enrol {x}"}}}
    read = ErrorResponse.model_validate_json(ErrorResponse.model_validate(body).model_dump_json())
    assert isinstance(read.error.message, Text)
    assert read.error.message.render("en") == "Enrol {x}"  # words from the wire are literal
    assert read.model_dump(mode="json") == body
    made = ErrorResponse(error={"code": "x", "message": Text("中{n}", "en {n}").format(n=3)})  # type: ignore[arg-type]
    assert made.model_dump(mode="json")["error"]["message"] == {"zh": "中3", "en": "en 3"}


@pytest.mark.parametrize("message", [{"en": "b"}, {"zh": "a", "en": "b", "fr": "c"},
                                     {"zh": 1, "en": "b"}, {"zh": "", "en": "b"},
                                     {"zh": "a", "en": "b" * 10_001}, "a"])
def test_a_bilingual_message_is_chinese_and_english_strings_only(message: object) -> None:
    with pytest.raises(ValidationError):
        ErrorResponse.model_validate({"error": {"code": "c", "message": message}})


def test_english_falls_back_to_the_chinese() -> None:
    read = ErrorResponse.model_validate({"error": {"code": "c", "message": {"zh": "中文"}}})
    assert read.error.message.render("en") == "中文"


def test_results_are_strict_about_what_goes_with_an_outcome() -> None:
    signed = {"raw": "{}", "sig": "A" * 86 + "=="}
    EventResult.model_validate({"index": 0, "id": "e", "status": 200, "outcome": "accepted",
                                "receipt": signed})
    for wrong in ({"status": 200, "outcome": "accepted"},  # no receipt
                  {"status": 422, "outcome": "malformed"},  # no reason
                  {"status": "200", "outcome": "accepted", "receipt": signed}):  # no coercion
        with pytest.raises(ValidationError):
            EventResult.model_validate({"index": 0, "id": "e", **wrong})


def test_an_issuer_key_must_be_named_by_its_own_id() -> None:
    public = keys.raw_public_key(Ed25519PrivateKey.generate())
    entry = {"key_id": keys.key_id(public), "public_key": keys.b64encode(public), "revoked": False}
    assert IssuerKeyEntry.model_validate(entry).raw_public_key() == public
    with pytest.raises(ValidationError):
        IssuerKeyEntry.model_validate({**entry, "key_id": "0" * 16})


def test_every_model_has_a_json_schema() -> None:
    for model in ALL_MODELS:
        assert model.model_json_schema()["type"] == "object"


def test_a_reply_signature_covers_every_part_of_the_binding() -> None:
    key = Ed25519PrivateKey.generate()
    key_id = keys.key_id(keys.raw_public_key(key))
    binding = ReplyBinding("GET", "/v1/feeds/registry?nonce=abc", "0" * 64, 200, "1" * 64)
    header = ReplySignature(key_id, 5, key.sign(tags.REPLY(binding.statement(key_id, 5)))).header()
    parsed = ReplySignature.parse(header)
    assert parsed is not None and parsed.key_id == key_id and parsed.server_time_ms == 5
    public = key.public_key()
    assert keys.verify_signature(public, parsed.sig, tags.REPLY(binding.statement(key_id, 5)))
    for changed in (ReplyBinding("PUT", binding.target, binding.request_sha256, 200, "1" * 64),
                    ReplyBinding("GET", "/v1/feeds/registry?nonce=abd", "0" * 64, 200, "1" * 64),
                    ReplyBinding("GET", binding.target, "2" * 64, 200, "1" * 64),
                    ReplyBinding("GET", binding.target, "0" * 64, 422, "1" * 64),
                    ReplyBinding("GET", binding.target, "0" * 64, 200, "3" * 64)):
        assert not keys.verify_signature(public, parsed.sig, tags.REPLY(changed.statement(key_id, 5)))
    assert ReplySignature.parse("v=1; key=zz; time=1; sig=x") is None
    assert ReplySignature.parse(None) is None
