"""The department profile: one provisioning file per department (BRIEF §2, user 3)."""

from inspector_app.profile.loader import (
    demo_profile_path,
    load_profile,
    parse_profile,
    read_profile_bytes,
)
from inspector_app.profile.model import (
    Department,
    EndpointConfig,
    EnterpriseRecord,
    FrequencyRule,
    IssuerKey,
    OfficerRecord,
    Profile,
    VisitKind,
)

__all__ = [
    "Department",
    "EndpointConfig",
    "EnterpriseRecord",
    "FrequencyRule",
    "IssuerKey",
    "OfficerRecord",
    "Profile",
    "VisitKind",
    "demo_profile_path",
    "load_profile",
    "parse_profile",
    "read_profile_bytes",
]
