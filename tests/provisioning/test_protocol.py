"""The provisioning package and the release manifest as formats: signatures, expiry, tampering."""

from __future__ import annotations

import pytest
import segno
from hypothesis import given
from hypothesis import strategies as st

from inspector_protocol import base45, keys, tags
from inspector_protocol import provisioning as pv
from inspector_protocol import release_manifest as rm
from inspector_protocol.text import Text
from tests.provisioning.keys import Key, package

NOW = 1_780_000_100


def test_a_code_reads_back_to_the_signed_package_and_verifies() -> None:
    it, server = Key.new(), Key.new()
    signed = package(it, server)
    text = pv.encode_text(signed)
    assert text.startswith("PV1:") and all(c in base45.ALPHABET for c in text[4:])
    back = pv.decode_text(text)
    assert back == signed
    assert pv.verify_package(back, it.trusted(), NOW).server_public_key == server.public


def test_the_code_fits_a_version_11_qr_at_error_correction_m() -> None:
    # A long endpoint (60 characters) still scans from paper: 61 modules at most.
    signed = package(Key.new(), Key.new(),
                     endpoint="https://inspector-central.scjgj.lingcheng.dezhou.gov.cn:8443")
    qr = segno.make_qr(pv.encode_text(signed), error="m", boost_error=False)
    assert qr.mode == "alphanumeric"
    assert int(qr.version) <= 11


def test_another_key_is_refused_and_so_is_no_key() -> None:
    signed = package(Key.new(), Key.new())
    with pytest.raises(pv.ProvisioningRefused) as refused:
        pv.verify_package(signed, Key.new().trusted(), NOW)
    assert refused.value.code == "provisioning.bad_signature"
    with pytest.raises(pv.ProvisioningRefused) as none:
        pv.verify_package(signed, {}, NOW)
    assert none.value.code == "provisioning.no_trusted_key"


def test_a_key_claiming_the_trusted_key_id_does_not_verify() -> None:
    it, forger = Key.new(), Key.new()
    forged = package(forger, Key.new())
    claimed = forged.package.model_copy(update={"signer": it.key_id})
    resigned = pv.SignedPackage(package=claimed, sig=keys.b64encode(
        forger.private.sign(claimed.signed_bytes())))
    with pytest.raises(pv.ProvisioningRefused) as refused:
        pv.verify_package(resigned, it.trusted(), NOW)
    assert refused.value.code == "provisioning.bad_signature"


def test_expired_is_refused_with_the_time_in_china() -> None:
    it = Key.new()
    signed = package(it, Key.new(), created=NOW - 20 * 86_400, days=14)
    with pytest.raises(pv.ProvisioningRefused) as refused:
        pv.verify_package(signed, it.trusted(), NOW)
    assert refused.value.code == "provisioning.expired"
    assert "+08:00" in refused.value.render("zh")


@pytest.mark.parametrize(("field", "value"), [
    ("department", "lc-em"), ("endpoint", "https://evil.example"), ("expires", 4_000_000_000),
    ("token", "0000000000000000"), ("profile_sha256", "0" * 64)])
def test_every_field_is_covered_by_the_signature(field: str, value: object) -> None:
    it = Key.new()
    signed = package(it, Key.new())
    changed = pv.SignedPackage(package=signed.package.model_copy(update={field: value}),
                               sig=signed.sig)
    with pytest.raises(pv.ProvisioningRefused) as refused:
        pv.verify_package(pv.decode_text(pv.encode_text(changed)), it.trusted(), NOW)
    assert refused.value.code == "provisioning.bad_signature"


def test_a_flipped_byte_in_the_code_never_passes() -> None:
    it = Key.new()
    data = bytearray(base45.decode(pv.encode_text(package(it, Key.new()))[4:]))
    for position in range(0, len(data), 7):
        tampered = bytearray(data)
        tampered[position] ^= 0x01
        with pytest.raises(pv.ProvisioningRefused) as refused:
            pv.verify_package(pv.decode_text("PV1:" + base45.encode(bytes(tampered))),
                              it.trusted(), NOW)
        assert refused.value.code in ("provisioning.bad_signature", "provisioning.damaged")


@pytest.mark.parametrize("text", [
    "QY1:ABC", "https://example.com/", "", "PV2:0000", "hello"])
def test_foreign_payloads_are_not_packages(text: str) -> None:
    with pytest.raises(pv.ProvisioningRefused) as refused:
        pv.decode_text(text)
    assert refused.value.code == "provisioning.not_a_package"


@pytest.mark.parametrize("text", ["PV1:", "PV1:00", "PV1:abc", "PV1:" + "0" * 300])
def test_damaged_codes_are_refused_as_damaged(text: str) -> None:
    with pytest.raises(pv.ProvisioningRefused) as refused:
        pv.decode_text(text)
    assert refused.value.code == "provisioning.damaged"


@given(st.text(alphabet=pv.TOKEN_ALPHABET, min_size=16, max_size=16))
def test_tokens_pack_into_ten_bytes_and_back(token: str) -> None:
    assert pv._unpack_token(pv._pack_token(token)) == token


def test_the_file_form_carries_the_same_signature_and_the_profile() -> None:
    it = Key.new()
    profile = b'{"schema": "inspector-profile/1"}'
    signed = package(it, Key.new(), profile=profile)
    document = pv.PackageFile(format="inspector-provisioning/1", label="lc-amr-001", signed=signed,
                              profile=keys.b64encode(profile))
    back = pv.read_file(pv.file_bytes(document), "x.provision.json")
    assert pv.profile_bytes(back) == profile
    assert pv.verify_package(back.signed, it.trusted(), NOW) == signed.package


def test_the_proof_sent_for_the_profile_is_the_centres_hash_of_the_token() -> None:
    from inspector_central.enrolment import code_hash

    assert pv.token_proof("k7qf-3mzp-1xva-8d2n") == code_hash("K7QF3MZP1XVA8D2N")


def test_public_key_files_round_trip() -> None:
    one, two = Key.new(), Key.new()
    text = pv.public_key_pem(one.public) + pv.public_key_pem(two.public)
    assert pv.parse_public_keys(text) == {**one.trusted(), **two.trusted()}


# -- release manifests -----------------------------------------------------------------------


def manifest(version: str = "0.2.0", published: int = NOW) -> rm.ReleaseManifest:
    return rm.ReleaseManifest(
        version=version, published=published, minimum_version="0.1.0",
        downloads={"linux-amd64": rm.Download(url="https://it.example.gov.cn/inspector_0.2.0.deb",
                                              sha256="a" * 64, size=138_000_000)},
        notes=Text("修复若干问题。", "Fixes."))


def test_a_release_signed_by_a_pinned_key_verifies() -> None:
    release = Key.new()
    signed = rm.sign_release(manifest(), release.signer(), release.public)
    back = rm.read_signed(signed.model_dump_json().encode(), "release.json")
    assert rm.verify_release(back, [release.public]).version == "0.2.0"


def test_a_release_signed_by_the_server_key_alone_is_not_believed() -> None:
    server, release = Key.new(), Key.new()
    signed = rm.sign_release(manifest(), server.signer(), server.public)
    assert rm.self_consistent(signed)
    with pytest.raises(rm.ReleaseRefused) as refused:
        rm.verify_release(signed, [release.public])
    assert refused.value.code == "release.unknown_key"


def test_a_tampered_release_is_refused() -> None:
    release = Key.new()
    signed = rm.sign_release(manifest(), release.signer(), release.public)
    changed = rm.SignedRelease(manifest=manifest(version="9.0.0"), key=signed.key, sig=signed.sig)
    with pytest.raises(rm.ReleaseRefused) as refused:
        rm.verify_release(changed, [release.public])
    assert refused.value.code == "release.bad_signature"


def test_a_release_is_signed_under_its_own_tag() -> None:
    assert manifest().signed_bytes().startswith(tags.RELEASE.value)
    signed = package(Key.new(), Key.new())
    assert signed.package.signed_bytes().startswith(tags.PROVISIONING.value)


def test_versions_compare_as_numbers() -> None:
    assert rm.version_tuple("0.10.0") > rm.version_tuple("0.9.9")
    assert rm.version_tuple("0.1.0+dev") == (0, 1, 0)


def test_a_manifest_with_a_plain_http_download_is_malformed() -> None:
    raw = manifest().model_dump_json().replace("https://", "http://").encode()
    with pytest.raises(rm.ReleaseRefused) as refused:
        rm.read_manifest(raw, "m.json")
    assert refused.value.code == "release.malformed"
