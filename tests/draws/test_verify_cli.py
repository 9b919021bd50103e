"""``inspector draw verify``: what a person reads for each way a draw fails, in both languages,
and the exit codes of docs/cli.md."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from inspector_app.cli import main
from inspector_protocol import keys
from tests.draws.helpers import EXAMPLE_KEY, doc_examples, public, sign

EXAMPLE_PUBLIC = keys.b64encode(public(EXAMPLE_KEY))
Forgery = Callable[[dict[str, Any]], None]


def _example() -> dict[str, Any]:
    value: dict[str, Any] = json.loads(doc_examples()["export"])
    return value


def _resign(document: dict[str, Any], part: str, **changes: Any) -> None:
    statement = {**json.loads(document[part]["raw"]), **changes}
    statement.pop("server_key")
    document[part] = json.loads(sign(statement, EXAMPLE_KEY).model_dump_json())


def _result(document: dict[str, Any]) -> dict[str, Any]:
    value: dict[str, Any] = json.loads(document["result"]["raw"])
    return value


def _verify(tmp_path: Path, capsys: pytest.CaptureFixture[str], document: dict[str, Any] | str,
            *options: str, lang: str = "en") -> tuple[int, str, str]:
    path = tmp_path / "draw.json"
    text = document if isinstance(document, str) else json.dumps(document, ensure_ascii=False)
    path.write_text(text, encoding="utf-8")
    code = main(["--data-dir", str(tmp_path / "no-ledger"), "--lang", lang, "draw", "verify",
                 str(path), *options])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_worked_example_verifies_as_the_page_says(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _verify(tmp_path, capsys, _example(), "--server-key", EXAMPLE_PUBLIC)
    assert code == 0
    assert "Draw D-000042" in out and "verified" in out and "3 enterprises" in out
    assert "compare it with the named source yourself" in out
    code, out, _ = _verify(tmp_path, capsys, _example(), "--server-key", EXAMPLE_PUBLIC,
                           lang="zh")
    assert code == 0 and "核验通过" in out and "请对照该来源自行核对" in out


def test_without_a_pinned_key_it_says_the_file_only_agrees_with_itself(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _verify(tmp_path, capsys, _example(), "--json")
    assert code == 0
    report = json.loads(out)
    assert report["verified"] is True and report["server_key"]["source"] == "file"
    assert [t["position"] for t in report["tasks"]] == [1, 2, 3]
    _code, out, _ = _verify(tmp_path, capsys, _example())
    assert "not that the centre signed it" in out


def _secret(document: dict[str, Any]) -> None:
    _resign(document, "result", secret="ff" * 32)


def _pool(document: dict[str, Any]) -> None:
    del document["pools"]["enterprises"][3]


def _exclusion(document: dict[str, Any]) -> None:
    document["pools"]["exclusions"] = []


def _officers(document: dict[str, Any]) -> None:
    tasks = _result(document)["tasks"]
    tasks[1]["officers"].reverse()
    _resign(document, "result", tasks=tasks)


def _count(document: dict[str, Any]) -> None:
    _resign(document, "result", count=2)


def _unsigned(document: dict[str, Any]) -> None:
    result = _result(document)
    result["tasks"][2]["uscc"] = "91371421R53E942H0F"
    document["result"]["raw"] = json.dumps(result, ensure_ascii=False)


def _beacon(document: dict[str, Any]) -> None:
    _resign(document, "result", beacon="03 08 14 21 27 31 + 12")


def _commitment(document: dict[str, Any]) -> None:
    _resign(document, "commitment", count=2)


@pytest.mark.parametrize(("forge", "code", "zh", "en"), [
    (_secret, "draw.secret_mismatch", "公布的密钥与承诺不符",
     "The revealed secret does not match its commitment"),
    (_pool, "draw.pool_changed", "企业名录在承诺之后被改动",
     "The enterprise pool changed after the commitment: committed 6 entries"),
    (_exclusion, "draw.pool_changed", "回避名单在承诺之后被改动",
     "The exclusions changed after the commitment: committed 2 entries"),
    (_officers, "draw.result_differs", "有 1 处不符，第一处在第 2 位",
     "differs from the re-run at 1 position(s), first at position 2: published 91371421AQ7G902J1H"
     " (lc-amr: 37142320003, 37142320001), the re-run gives 91371421AQ7G902J1H (lc-amr: "
     "37142320001, 37142320003)"),
    (_count, "draw.parameters_changed", "抽查参数 count 被改动：承诺为 3，结果为 2",
     "The draw parameter count changed: committed 3, result 2"),
    (_unsigned, "draw.signature_invalid", "抽查结果的签名无效",
     "The signature of the draw's result is invalid"),
    (_beacon, "draw.seed_mismatch", "不是由密钥、公开随机数和承诺算出的",
     "is not the one computed from the secret, the beacon and the commitment"),
    (_commitment, "draw.commitment_mismatch", "承诺在事后被替换",
     "the commitment was replaced afterwards"),
], ids=lambda v: v.__name__ if callable(v) else None)
def test_each_way_a_draw_fails_is_named_in_both_languages(
        forge: Forgery, code: str, zh: str, en: str, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    document = _example()
    forge(document)
    exit_en, out_en, _ = _verify(tmp_path, capsys, document, "--server-key", EXAMPLE_PUBLIC)
    exit_zh, out_zh, _ = _verify(tmp_path, capsys, document, "--server-key", EXAMPLE_PUBLIC,
                                 lang="zh")
    assert exit_en == exit_zh == 3
    assert "verification FAILED" in out_en and "核验失败" in out_zh
    assert en in out_en and f"[{code}]" in out_en
    assert zh in out_zh


def test_a_commitment_replaced_after_publication_is_caught_by_its_noted_digest(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    noted = "6019f47f61c5a392"  # docs/draws.md: commitment_hash of the worked example
    code, _, _ = _verify(tmp_path, capsys, _example(), "--commitment", noted)
    assert code == 0
    code, out, _ = _verify(tmp_path, capsys, _example(), "--commitment", "0" * 16)
    assert code == 3 and "replaced after publication" in out


def test_another_centre_key_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    other = keys.b64encode(bytes(range(32, 64)))
    code, out, _ = _verify(tmp_path, capsys, _example(), "--server-key", other)
    assert code == 3
    assert "is not the trusted centre key" in out and "[draw.signature_invalid]" in out


def test_a_draw_not_yet_run_checks_its_commitment_and_exits_1(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    document = _example()
    document["result"] = None
    code, out, _ = _verify(tmp_path, capsys, document, "--server-key", EXAMPLE_PUBLIC)
    assert code == 1 and "has not been run yet" in out
    del document["pools"]["officers"][0]
    code, out, _ = _verify(tmp_path, capsys, document, "--server-key", EXAMPLE_PUBLIC)
    assert code == 3 and "officer pool changed after the commitment" in out


@pytest.mark.parametrize(("text", "message"), [
    ("not json", "is not valid JSON"),
    ('{"format": "inspector-bundle/1"}', "This is not a draw file"),
    ('{"format": "inspector-draw-export/1", "format": "x"}', "appears twice"),
    (json.dumps({**_example(), "extra": 1}), "field extra"),
])
def test_a_file_that_is_not_a_draw_is_refused_with_exit_1(
        text: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _verify(tmp_path, capsys, text)
    assert code == 1 and message in err


def test_a_bad_server_key_option_is_refused(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _verify(tmp_path, capsys, _example(), "--server-key", "abc")
    assert code == 1 and "--server-key" in err
