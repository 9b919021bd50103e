"""The names a person reads beside the ids records carry: departments, visit kinds, officers,
and the reasons chosen from the profile's list.

Names come from the department profile (and, for officers, from those enrolled on
this tablet).  An id the profile does not know, in a bundle from another
department say, has no name here: callers show the id alone rather than a guess.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from inspector_app.profile import Profile
    from inspector_protocol.text import Lang, Text


def department_name(profile: Profile | None, department_id: str, lang: Lang) -> str | None:
    found = profile.department(department_id) if profile else None
    return found.name.render(lang) if found else None


def kind_name(profile: Profile | None, kind_id: str, lang: Lang) -> str | None:
    found = profile.visit_kind(kind_id) if profile else None
    return found.name.render(lang) if found else None


def officer_name(profile: Profile | None, credential: str,
                 enrolled: Mapping[str, str] | None = None) -> str | None:
    """The profile's name for ``credential``, else the name it was enrolled under here."""
    found = profile.officer(credential) if profile else None
    return found.name if found else (enrolled or {}).get(credential)


def officer_label(profile: Profile | None, credential: str) -> str:
    """``张明 37142320001``, or the credential alone when no name is known."""
    name = officer_name(profile, credential)
    return f"{name} {credential}" if name else credential


def reason_text(profile: Profile | None, stored: str | None, lang: Lang) -> str:
    """A recorded reason in the reader's language when it is one of the profile's reasons
    (recorded in either language); else as recorded, since an officer may type a reason
    of their own."""
    if not stored:
        return ""
    for reason in profile.reasons if profile else ():
        if stored in (reason.zh, reason.en):
            return reason.render(lang)
    return stored


def legal_basis_text(profile: Profile | None, stored: str) -> Text:
    """A legal basis in both languages: the profile's bases are stored by their Chinese
    wording, whatever language the form was in; one typed by the officer as typed."""
    from inspector_protocol.text import Text

    for basis in profile.legal_bases if profile else ():
        if stored in (basis.zh, basis.en):
            return basis
    return Text(stored, stored)
