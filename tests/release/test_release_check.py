"""release-check: a release is compared with the reviewed repository at its tag."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest

from nobackdoor.release.check import ReleaseCheckOptions, release_check
from nobackdoor.release.repo import ReleaseError, guess_tag, open_repo

from ..conftest import run_cli
from .conftest import need

SCHEMA = json.loads((Path(__file__).resolve().parent.parent / "contract_schema.json").read_text())


def _check(repo: Path, release: Path, **kw):
    return release_check(repo, release, ReleaseCheckOptions(**kw))


def _serious(result):
    return [f for f in result.findings if f.severity.rank >= 2]


# ---------------------------------------------------------------- autotools: make dist vs modified macro


@pytest.fixture(scope="module")
def honest_autotools(release_fixtures):
    fx = release_fixtures["autotools"]
    return _check(fx["repo"], fx["honest"])


@pytest.fixture(scope="module")
def evil_autotools(release_fixtures):
    fx = release_fixtures["autotools"]
    return _check(fx["repo"], fx["evil"])


def test_honest_make_dist_release_passes(honest_autotools):
    assert _serious(honest_autotools) == []
    summary = honest_autotools.extra["release"]
    assert summary["ref"] == "v0.3" and summary["autotools"]
    assert summary["regeneration"]["ok"] and summary["regeneration"]["exact_versions"]
    explained = {e["path"] for e in summary["explained"]}
    # generated files are in the release but not the repository, and each one was regenerated identically
    assert {"configure", "Makefile.in", "aclocal.m4", "m4/pkg.m4", "build-aux/install-sh"} <= explained


def test_modified_m4_macro_is_caught(evil_autotools):
    by_path = {f.evidence["_relpath"]: f for f in evil_autotools.findings}
    macro = by_path["m4/pkg.m4"]
    assert macro.rule == "release.generated-mismatch"
    assert macro.category == "build-tampering" and macro.severity.rank >= 3
    assert macro.path.endswith("chirp-0.3/m4/pkg.m4")
    assert any("base64 -d" in d["text"] for d in macro.evidence["decode_and_run"])
    # configure was regenerated from the modified macro, so it differs from the tag's regeneration too
    assert by_path["configure"].rule == "release.generated-mismatch"
    # the project's own macro is reviewed source, not generated: an unexplained build change
    own = by_path["m4/chirp_warn.m4"]
    assert own.rule == "release.unexplained-build-change" and own.severity.value == "high"
    assert any("-fno-stack-protector" in line for line in own.evidence["diff"])
    # everything else the release generated still matches
    assert set(by_path) == {"m4/pkg.m4", "m4/chirp_warn.m4", "configure"}


def test_macro_checked_against_installed_copy_without_regeneration(release_fixtures):
    """Without autoreconf, an aclocal-copied macro is still compared with the installed copy of its serial."""
    fx = release_fixtures["autotools"]
    evil = _check(fx["repo"], fx["evil"], regenerate=False)
    macro = next(f for f in evil.findings if f.evidence.get("_relpath") == "m4/pkg.m4")
    assert macro.rule == "release.generated-mismatch" and "same macro serial" in macro.message
    honest = _check(fx["repo"], fx["honest"], regenerate=False)
    assert _serious(honest) == []
    assert any(e["path"] == "m4/pkg.m4" for e in honest.extra["release"]["explained"])


# ---------------------------------------------------------------- hand-written configure + binary test data


def test_plain_tampered_release(release_fixtures):
    fx = release_fixtures["plain"]
    result = _check(fx["repo"], fx["evil"])
    by_path = {f.path: f for f in result.findings}
    assert by_path["configure"].category == "build-tampering"
    assert by_path["configure"].severity.value == "critical"
    assert by_path["configure"].evidence["reads_changed_files"] == ["tests/blobs/frame-x.dat"]
    blob = by_path["tests/blobs/frame-x.dat"]
    assert blob.category == "obfuscated-code" and blob.severity.rank >= 3
    assert blob.evidence["read_by"][0]["file"] == "configure"
    assert blob.evidence["first_difference"] == 1000


def test_plain_honest_release_has_no_findings(release_fixtures):
    fx = release_fixtures["plain"]
    result = _check(fx["repo"], fx["honest"])
    assert result.findings == []
    assert result.extra["release"]["ref"] == "plain-1.0"  # guessed from the directory name


def test_cli_json_contract_and_exit_status(release_fixtures):
    fx = release_fixtures["plain"]
    proc = run_cli("release-check", "--repo", str(fx["repo"]), "--release", str(fx["evil"]), "--format", "json")
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(proc.stdout)
    jsonschema.validate(doc, SCHEMA)
    assert doc["target"]["kind"] == "release"
    assert {"build-tampering", "obfuscated-code"} <= {f["category"] for f in doc["findings"]}
    proc = run_cli("release-check", "--repo", str(fx["repo"]), "--release", str(fx["honest"]), "--format", "json",
                   "--no-scan")
    assert proc.returncode == 0, proc.stderr
    jsonschema.validate(json.loads(proc.stdout), SCHEMA)


def test_unknown_tag_is_a_usage_error(release_fixtures):
    fx = release_fixtures["plain"]
    with pytest.raises(ReleaseError, match="no commit named"):
        _check(fx["repo"], fx["honest"], ref="v9.9")


def test_release_without_version_uses_the_closest_tag(release_fixtures, tmp_path):
    fx = release_fixtures["plain"]
    holder = tmp_path / "delivery"  # a directory holding the release directory, under a name with no version
    shutil.copytree(fx["evil"], holder / "sources")
    (holder / "sources" / "configure").write_text(
        (holder / "sources" / "configure").read_text().replace("VERSION=1.0", "VERSION=unknown"))
    result = _check(fx["repo"], holder)
    assert result.extra["release"]["ref"] == "plain-1.0"
    assert "most identical files" in result.extra["release"]["ref_guess"]
    assert {f.path for f in result.findings if f.severity.rank >= 3} == {"sources/configure",
                                                                         "sources/tests/blobs/frame-x.dat"}


# ---------------------------------------------------------------- repository handling


def test_tag_guessing():
    tags = ["v1.1", "v1.2", "v1.2.1", "foo-1.3", "release_2_0", "1.4"]
    assert guess_tag(tags, "foo", "1.2") == "v1.2"
    assert guess_tag(tags, "foo", "1.3") == "foo-1.3"
    assert guess_tag(tags, None, "2.0") == "release_2_0"
    assert guess_tag(tags, None, "1.4") == "1.4"
    assert guess_tag(tags, None, "1.5") is None


def test_repository_config_filters_and_hooks_never_run(tmp_path):
    """git archive applies the repository's filter drivers; ours must not (the repository is hostile)."""
    need("git")
    repo = tmp_path / "r"
    marker = tmp_path / "ran"
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t.example", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@t.example", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    repo.mkdir()
    (repo / "a.txt").write_text("content\n")
    (repo / ".gitattributes").write_text("* filter=trap\n")
    for cmd in (["init", "-q"], ["add", "."], ["commit", "-qm", "x"], ["tag", "v1.0"],
                ["config", "filter.trap.smudge", f"sh -c 'touch {marker}; cat'"],
                ["config", "core.fsmonitor", f"sh -c 'touch {marker}'"]):
        subprocess.run(["git", *cmd], cwd=repo, env=env, check=True, capture_output=True)
    hook = repo / ".git" / "hooks" / "post-checkout"
    hook.write_text(f"#!/bin/sh\ntouch {marker}\n")
    hook.chmod(0o755)
    with open_repo(repo) as r:
        r.export(r.resolve("v1.0"), tmp_path / "out")
    assert (tmp_path / "out" / "a.txt").read_text() == "content\n"
    assert not marker.exists()


def _git_repo(path: Path, files: dict[str, str], tag: str) -> Path:
    need("git")
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t.example", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@t.example", "PATH": "/usr/bin:/bin", "HOME": str(path.parent)}
    for rel, text in files.items():
        (path / rel).parent.mkdir(parents=True, exist_ok=True)
        (path / rel).write_text(text)
    for cmd in (["init", "-q"], ["add", "."], ["commit", "-qm", "x"], ["tag", tag]):
        subprocess.run(["git", *cmd], cwd=path, env=env, check=True, capture_output=True)
    return path


def test_honest_release_time_files_are_explained(tmp_path):
    """What make dist legitimately adds: ChangeLog from git log, version stamp, bison output, .pot."""
    files = {"src/main.c": "int main(void) { return 0; }\n", "src/parse.y": "%%\nline: ;\n%%\n", "NEWS": "1.0\n"}
    repo = _git_repo(tmp_path / "p", files, "v1.0")
    release = tmp_path / "p-1.0"
    for rel, text in {**files, "ChangeLog": "2024-01-01  A <a@a.example>\n\n\tinitial\n", ".tarball-version": "1.0\n",
                      "src/parse.c": "/* A Bison parser, made by GNU Bison 3.8.2.  */\nint yyparse(void);\n",
                      "po/p.pot": "msgid \"\"\nmsgstr \"\"\n"}.items():
        (release / rel).parent.mkdir(parents=True, exist_ok=True)
        (release / rel).write_text(text)
    result = _check(repo, release)
    assert _serious(result) == []
    assert [f.evidence["files"] for f in result.findings] == [["src/parse.c"]]  # low: bison output, unverified
    explained = {e["path"] for e in result.extra["release"]["explained"]}
    assert {"ChangeLog", ".tarball-version", "po/p.pot"} <= explained
    (release / "src" / "extra.c").write_text("int helper(void) { return 1; }\n")  # no generator input
    assert any(f.rule == "release.unexplained-code-change" and f.path == "src/extra.c"
               for f in _check(repo, release).findings)


def test_gnulib_files_copied_by_bootstrap(tmp_path, monkeypatch):
    """A gnulib project's release holds gnulib modules the repository does not: checked against gnulib,
    never reported as new code."""
    repo = _git_repo(tmp_path / "gl", {"bootstrap.conf": "gnulib_modules='xalloc'\n",
                                       "src/main.c": "int main(void) { return 0; }\n"}, "v2.0")
    gl = tmp_path / "gnulib"
    (gl / "lib").mkdir(parents=True)
    (gl / "modules").mkdir()
    (gl / "lib" / "xalloc.c").write_text("void *xmalloc(unsigned long n);\n")
    (gl / "lib" / "xsize.h").write_text("#define XSIZE 1\n")
    release = tmp_path / "gl-2.0"
    (release / "src").mkdir(parents=True)
    (release / "lib").mkdir()
    (release / "bootstrap.conf").write_text("gnulib_modules='xalloc'\n")
    (release / "src" / "main.c").write_text("int main(void) { return 0; }\n")
    (release / "lib" / "xalloc.c").write_text("void *xmalloc(unsigned long n);\n")  # as in gnulib
    (release / "lib" / "xsize.h").write_text("#define XSIZE 2\n")  # not as in gnulib

    with_tree = _check(repo, release, gnulib=str(gl))
    assert [(f.path, f.severity.value) for f in with_tree.findings] == [("lib/xsize.h", "medium")]
    assert any(e["path"] == "lib/xalloc.c" for e in with_tree.extra["release"]["explained"])

    from nobackdoor.release import gnulib

    monkeypatch.delenv("GNULIB_SRCDIR", raising=False)
    monkeypatch.setattr(gnulib, "DEFAULT_TREES", ())  # this machine's gnulib, if any, is not the test's
    without = _check(repo, release, gnulib=str(tmp_path / "none"))
    assert [f.severity.value for f in without.findings] == ["low"]
    assert without.findings[0].evidence["files"] == ["lib/xalloc.c", "lib/xsize.h"]


def test_submodule_files_are_named_with_their_pinned_commit(tmp_path):
    lib = _git_repo(tmp_path / "vendorlib", {"vl.c": "int vl(void) { return 2; }\n"}, "v0.1")
    repo = _git_repo(tmp_path / "app", {"app.c": "int main(void) { return 0; }\n"}, "v0.9")
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t.example", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@t.example", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    for cmd in (["-c", "protocol.file.allow=always", "submodule", "add", "-q", str(lib), "third_party/vl"],
                ["commit", "-qm", "sub"], ["tag", "-f", "v1.0"]):
        subprocess.run(["git", *cmd], cwd=repo, env=env, check=True, capture_output=True)
    release = tmp_path / "app-1.0"
    (release / "third_party" / "vl").mkdir(parents=True)
    (release / "app.c").write_text("int main(void) { return 0; }\n")
    (release / "third_party" / "vl" / "vl.c").write_text("int vl(void) { return 2; }\n")
    result = _check(repo, release)
    assert [(f.rule, f.severity.value) for f in result.findings] == [("release.generated-unverified", "low")]
    assert result.findings[0].evidence["submodule"] == "third_party/vl"
    assert len(result.findings[0].evidence["commit"]) == 40


def test_data_read_through_its_directory_is_obfuscated_code(tmp_path):
    """The build may reach the payload through a loop over a directory, without naming the file."""
    conf = "#!/bin/sh\necho configuring\n"
    repo = _git_repo(tmp_path / "d", {"configure": conf, "tests/vectors/v1.raw": "AAAA\n"}, "v3.1")
    release = tmp_path / "d-3.1"
    (release / "tests" / "vectors").mkdir(parents=True)
    (release / "configure").write_text(conf + 'for v in tests/vectors/*; do tail -c +5 "$v" | sh; done\n')
    (release / "tests" / "vectors" / "v1.raw").write_bytes(b"AAAA\n" + bytes(range(256)))
    by_path = {f.path: f for f in _check(repo, release).findings}
    assert by_path["tests/vectors/v1.raw"].category == "obfuscated-code"
    assert by_path["tests/vectors/v1.raw"].evidence["read_by"][0]["file"] == "configure"
    assert by_path["configure"].severity.value == "critical"
    assert by_path["configure"].evidence["reads_changed_files"] == ["tests/vectors/v1.raw"]
