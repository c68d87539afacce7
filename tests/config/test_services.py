"""Boot and service graph: shells without authentication, consoles, the service table."""
from __future__ import annotations


def test_telnetd_shell_through_sourced_variables(rootfs):
    r = rootfs("telnet_shell")
    f = r.by_rule("services.telnetd-shell")
    assert len(f) == 1 and f[0].path == "etc/init.d/S20mgmt"
    assert f[0].category == "remote-access" and f[0].severity.value == "critical"
    assert f[0].evidence["port"] == 6023 and f[0].evidence["program"] == "/bin/ash"
    svc = [s for s in r.of("service") if s["program"] == "/usr/sbin/telnetd"]
    assert svc and svc[0]["program_path"] == "bin/busybox" and svc[0]["shell"] and not svc[0]["login"]
    assert svc[0]["trigger"] == "boot" and svc[0]["port"] == 6023
    assert any(li["port"] == 6023 and li["program_path"] == "bin/busybox" for li in r.of("listener"))


def test_telnetd_with_login_is_low_only(rootfs):
    r = rootfs("clean")
    assert r.high() == []
    low = r.by_rule("services.telnet-login")
    assert len(low) == 1 and low[0].severity.value == "low"


def test_procd_command_built_over_several_calls(rootfs):
    f = rootfs("procd_bind_shell").by_rule("services.bind-shell")
    assert len(f) == 1 and f[0].path == "etc/init.d/diagsvc" and f[0].evidence["port"] == 7001
    assert "started: boot" in f[0].message


def test_systemd_socat_and_serial_autologin(rootfs):
    r = rootfs("systemd_socat")
    bind = r.by_rule("services.bind-shell")
    assert [b.path for b in bind] == ["etc/systemd/system/remote-debug.service"]
    console = r.by_rule("services.console-shell")
    assert len(console) == 1 and console[0].category == "debug-interface"
    assert console[0].evidence["autologin"] == "root" and console[0].evidence["tty"] == "ttyS2"


def test_inetd_shell(rootfs):
    r = rootfs("inetd_shell")
    f = r.by_rule("services.inetd-shell")
    assert len(f) == 1 and f[0].line == 2 and f[0].evidence["port"] == 9911
    assert {s["trigger"] for s in r.of("service") if s["source"].startswith("etc/inetd.conf")} == {"inetd"}


def test_ssh_daemons_accepting_empty_passwords(rootfs):
    f = rootfs("ssh_blank").by_rule("services.ssh-empty-password")
    assert {x.path for x in f} == {"etc/init.d/S50sshd", "etc/ssh/sshd_config"}
    assert all(x.category == "remote-access" and x.severity.value == "high" for x in f)


def test_console_shells_without_login(rootfs):
    f = rootfs("console_shells").by_rule("services.console-shell")
    assert sorted((x.line, x.evidence.get("tty")) for x in f) == [(2, "ttyAMA1"), (3, "ttyS3")]
    assert all(x.category == "debug-interface" and x.path == "etc/inittab" for x in f)


def test_consoles_with_login_are_silent(rootfs):
    r = rootfs("console_login")
    assert r.findings == []
    gettys = [s for s in r.of("service") if s["program"] == "/sbin/getty"]
    assert {s["tty"] for s in gettys} == {"ttyS3", "ttyS4"}
    assert all(s["login"] and s["trigger"] == "respawn" for s in gettys)


def test_service_table_lists_boot_programs(rootfs):
    r = rootfs("clean")
    progs = {(s["program"], s["trigger"]) for s in r.of("service")}
    assert ("syslogd", "boot") in progs and ("telnetd", "boot") in progs
    assert ("/usr/sbin/ntpd", "cron") in progs
    # one-shot utilities and stop branches are not services
    assert not {p for p, _ in progs} & {"killall", "echo", "mkdir", "uptime"}


def test_examples_in_documentation_are_low(rootfs):
    f = rootfs("clean").by_rule("services.bind-shell")
    assert [(x.path, x.severity.value) for x in f] == [("usr/share/doc/acme/examples/remote-debug.sh", "low")]


def test_reverse_shell_from_hotplug(rootfs):
    f = rootfs("procd_bind_shell").by_rule("services.reverse-shell")
    assert len(f) == 1 and f[0].path == "etc/hotplug.d/iface/99-diag" and f[0].evidence["trigger"] == "hotplug"
    assert f[0].severity.value == "critical" and f[0].evidence["host"] == "203.0.113.77"
