"""PAM stacks that skip the password check (analyzers/pam.py)."""
from __future__ import annotations

from pathlib import Path

import pytest

from nobackdoor.analyzers.pam import PamAnalyzer
from nobackdoor.models import FileEntry, FileKind

# the shapes of Debian 12's own files (common-auth from pam-auth-update, su, sshd, login, other)
DEBIAN_LIKE = {
    "etc/pam.d/common-auth": "auth\t[success=1 default=ignore]\tpam_unix.so nullok\n"
                             "auth\trequisite\t\t\tpam_deny.so\nauth\trequired\t\t\tpam_permit.so\n",
    "etc/pam.d/su": "auth       sufficient pam_rootok.so\n@include common-auth\n@include common-account\n",
    "etc/pam.d/sshd": "@include common-auth\naccount    required     pam_nologin.so\n@include common-session\n",
    "etc/pam.d/login": "auth       optional   pam_faildelay.so  delay=3000000\n"
                       "auth       requisite  pam_nologin.so\n@include common-auth\n",
    "etc/pam.d/gdm-autologin": "auth requisite pam_nologin.so\nauth required pam_succeed_if.so user != root quiet_success\n"
                               "auth required pam_permit.so\n",
    "etc/pam.d/other": "@include common-auth\n@include common-account\n",
}


def _run(rel: str, text: str) -> list[tuple[int, str]]:
    data = text.encode()
    e = FileEntry(rel, rel, "", Path("/nonexistent"), len(data), "", FileKind.TEXT, content=data)
    an = PamAnalyzer()
    assert an.wants(e)
    found = list(an.analyze(e, data))
    assert all(f.rule == "pam.auth-bypass" and f.category == "auth-bypass" for f in found)
    return [(f.line, f.severity.value) for f in found]


@pytest.mark.parametrize("rel,text", sorted(DEBIAN_LIKE.items()))
def test_ordinary_stacks_are_quiet(rel, text):
    assert _run(rel, text) == []


@pytest.mark.parametrize("text,line", [
    ("auth sufficient pam_permit.so\n@include common-auth\n", 1),
    ("auth required pam_env.so\nauth [success=done default=ignore] pam_succeed_if.so user = svcdiag\n"
     "@include common-auth\n", 2),
    ("auth [success=2 default=ignore] pam_succeed_if.so user in ops1:ops2\n@include common-auth\n", 1),
    ("-auth sufficient pam_permit.so\n", 1),
])
def test_login_without_password_is_critical(text, line):
    assert _run("etc/pam.d/dropbear", text) == [(line, "critical")]


def test_pam_conf_carries_the_service_name():
    e_text = "login auth sufficient pam_permit.so\nlogin auth required pam_unix.so\n"
    assert _run("etc/pam.conf", e_text) == [(1, "critical")]
