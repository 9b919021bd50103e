"""The receipt template writes exactly the canonical bytes the general signer would."""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from inspector_central.receipts import ReceiptMaker
from inspector_central.signing import ServerKey
from inspector_protocol import tags
from inspector_protocol.keys import key_id, raw_public_key

_PRIVATE = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
_KEY = ServerKey(key_id(raw_public_key(_PRIVATE)), raw_public_key(_PRIVATE), _PRIVATE)
_ids = st.text(alphabet="AZaz09_.:-\"\\é检 ", min_size=1, max_size=70)


@given(device=_ids, nonce=_ids, event=_ids, seq=st.integers(1, 2**53 + 5),
       digest=st.text(alphabet="0123456789abcdef", min_size=1, max_size=64),
       now=st.integers(0, 2**53 - 1))
def test_template_and_general_path_agree(device: str, nonce: str, event: str, seq: int,
                                         digest: str, now: int) -> None:
    maker = ReceiptMaker(_KEY, device, nonce, now)
    try:
        general = _KEY.sign(tags.RECEIPT.value, maker.statement(event, seq, digest))
    except ValueError:  # a number beyond what signed data may hold
        return
    assert maker.make(event, seq, digest) == general
