"""Phone-home (download and run, exfiltration, endpoints) and obfuscated payloads."""
from __future__ import annotations


def test_curl_pipe_to_shell_at_boot(rootfs):
    r = rootfs("phone_home")
    f = [x for x in r.by_rule("phonehome.fetch-and-run") if x.path == "etc/init.d/S90provision"]
    assert len(f) == 1 and f[0].severity.value == "critical" and f[0].category == "phone-home"
    assert f[0].evidence["url"] == "https://provision.acme.example/boot/stage2.sh"


def test_download_to_file_then_run_from_cron(rootfs):
    r = rootfs("phone_home")
    f = [x for x in r.by_rule("phonehome.fetch-and-run") if x.path == "usr/libexec/acme/refresh"]
    assert len(f) == 1 and f[0].evidence["url"] == "tftp://198.51.100.77/refresh.sh"
    assert f[0].evidence["trigger"] == "cron"
    cron = r.by_rule("phonehome.cron-fetch-and-run")
    assert len(cron) == 1 and cron[0].path == "etc/cron.d/acme" and cron[0].line == 2
    assert cron[0].evidence["script"] == "usr/libexec/acme/refresh"


def test_exfiltration_of_shadow(rootfs):
    f = rootfs("phone_home").by_rule("phonehome.exfiltration")
    assert len(f) == 1 and f[0].evidence["file"] == "/etc/shadow"
    assert f[0].evidence["destination"] == "https://collect.acme.example/upload"


def test_endpoints_are_observed(rootfs):
    eps = {(e["path"], e.get("url"), e["context"]) for e in rootfs("phone_home").of("endpoint")}
    assert ("etc/init.d/S90provision", "https://provision.acme.example/boot/stage2.sh", "fetch-and-run") in eps
    assert ("usr/libexec/acme/refresh", "https://collect.acme.example/upload", "upload") in eps


def test_ntp_cron_job_is_not_phone_home(rootfs):
    r = rootfs("clean")
    assert not [f for f in r.findings if f.category == "phone-home"]


def test_every_encoding_is_decoded_and_analysed(rootfs):
    r = rootfs("obfuscated")
    obf = {f.path.rsplit("/", 1)[-1]: f for f in r.by_rule("obfuscation.decode-and-run")}
    assert set(obf) == {"hex.sh", "gz.sh", "py.sh", "rot.sh", "esc.sh", "carrier.sh"}
    assert obf["hex.sh"].evidence["encoding"] == ["hex"]
    assert obf["gz.sh"].evidence["encoding"] == ["base64", "gzip"]
    assert obf["rot.sh"].evidence["encoding"] == ["tr"]
    assert obf["esc.sh"].evidence["encoding"] == ["printf-escapes"]
    assert all(f.category == "obfuscated-code" and f.severity.value == "critical" for f in obf.values())
    assert "nc -l -p 7003" in obf["hex.sh"].evidence["decoded_preview"]


def test_what_the_payload_does_is_reported_on_the_same_file(rootfs):
    r = rootfs("obfuscated")
    bind = {f.path: f for f in r.by_rule("services.bind-shell")}
    assert bind["usr/share/acme/hex.sh"].severity.value == "critical"  # started from S70acme
    assert bind["usr/share/acme/esc.sh"].severity.value == "high"  # nothing starts it
    assert bind["usr/share/acme/hex.sh"].evidence["decoded_via"] == ["hex payload decoded at line 2"]
    telnet = {f.path for f in r.by_rule("services.telnetd-shell")}
    assert telnet == {"usr/share/acme/py.sh", "usr/share/acme/rot.sh"}
    assert [f.path for f in r.by_rule("phonehome.fetch-and-run")] == ["usr/share/acme/gz.sh"]


def test_harmless_encoder_use_is_silent(rootfs):
    assert not rootfs("clean").by_rule("obfuscation.decode-and-run")


def test_payload_hidden_in_a_data_file(rootfs):
    r = rootfs("obfuscated")
    carrier = r.by_rule("obfuscation.payload-carrier")
    assert [c.path for c in carrier] == ["usr/share/acme/assets/logo.dat"]
    assert carrier[0].evidence["encoding"] == ["tr", "gzip"] and carrier[0].evidence["decoded_by"] == "usr/share/acme/carrier.sh"
    assert "nc -l -p 7007" in carrier[0].evidence["decoded_preview"]


def test_download_without_running_is_low(rootfs):
    f = rootfs("phone_home").by_rule("phonehome.boot-download")
    assert [(x.path, x.severity.value, x.evidence["url"]) for x in f] == [
        ("etc/init.d/S91motd", "low", "http://news.acme.example/motd")]


def test_malformed_url_does_not_stop_the_analyzer():
    from nobackdoor.analyzers.phonehome import endpoint_data

    for url in ("http://a.example:twelve.srv.example.com/x", "http://[::1/x"):
        assert endpoint_data(url, "download")["url"] == url


def test_tr_is_a_decoder_only_when_it_permutes_a_set():
    from nobackdoor.analyzers.config.decode import _tr_is_cipher

    assert _tr_is_cipher("A-Za-z", "N-ZA-Mn-za-m")  # rot13
    assert _tr_is_cipher(r"\t \-_", r" \t_\-")  # the xz-utils byte swap (escaped dashes are characters)
    assert not _tr_is_cipher("a-z", "A-Z")  # case folding, as configure scripts and test suites do
    assert not _tr_is_cipher("/", "_")
