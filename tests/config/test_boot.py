"""Boot-time and console back doors: udev rules, kernel command lines, console login bypasses.

Fixtures: tests/fixtures/config/boot/build_boot_fixtures.py (synthetic cases and Debian 12's udev rules).
"""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from importlib import resources

from nobackdoor.analyzers.config.scripts import reached_scripts
from nobackdoor.analyzers.boot import BootCmdlineAnalyzer, KernelCmdlineReader, find_cmdlines, parameters
from nobackdoor.analyzers.login_bypass import unconditional_shell
from nobackdoor.analyzers.phonehome import PhoneHomeAnalyzer
from nobackdoor.analyzers.services import ServicesAnalyzer
from nobackdoor.ruleset import all_rules, requirements

from .conftest import Result, analyze_tree

BOOT = Path(__file__).resolve().parents[1] / "fixtures" / "config" / "boot"


def analyze(root: Path) -> Result:
    """Inventory the tree, run the command-line reader on every file, then the tree analyzers."""
    return analyze_tree(root, (KernelCmdlineReader(),), (ServicesAnalyzer(), PhoneHomeAnalyzer(), BootCmdlineAnalyzer()))


@pytest.fixture(scope="module")
def case():
    cache: dict[str, Result] = {}

    def get(name: str) -> Result:
        if name not in cache:
            assert (BOOT / name).is_dir(), f"fixture {name} missing: run {BOOT}/build_boot_fixtures.py"
            cache[name] = analyze(BOOT / name)
        return cache[name]
    return get


def _medium_up(r: Result) -> list:
    return [(f.rule, f.path, f.message) for f in r.findings if f.severity.rank >= 2]


# ----------------------------------------------------------------- udev


def test_udev_rule_runs_script_with_bind_shell(case):
    r = case("udev_backdoor")
    f = [x for x in r.by_rule("services.bind-shell") if not x.path.endswith(".rules")]
    assert [x.path for x in f] == ["usr/libexec/acme/usb-service.sh"]
    assert f[0].severity.value == "critical" and f[0].evidence["trigger"] == "hotplug" and f[0].evidence["port"] == 7613
    svc = [s for s in r.of("service") if s["source"].startswith("etc/udev/rules.d/70-acme-usb.rules")]
    assert svc and all(s["trigger"] == "hotplug" for s in svc)


def test_udev_inline_fetch_and_run(case):
    f = [x for x in case("udev_backdoor").by_rule("phonehome.fetch-and-run")
         if x.path == "etc/udev/rules.d/70-acme-usb.rules"]
    assert len(f) == 1 and f[0].line == 4 and f[0].severity.value == "critical"
    assert f[0].evidence["url"] == "http://198.51.100.23/netup.sh" and f[0].category == "phone-home"


def test_udev_bare_program_name_and_program_key(case):
    r = case("udev_backdoor")
    rev = r.by_rule("services.reverse-shell")
    assert [(x.path, x.evidence["trigger"]) for x in rev] == [("lib/udev/acme-tty-hook", "hotplug")]
    tel = r.by_rule("services.telnetd-shell")
    assert [(x.path, x.line) for x in tel] == [("lib/udev/rules.d/85-acme-tty.rules", 2)]


def test_udev_rule_runs_script_that_fetches_and_runs(case):
    f = [x for x in case("udev_backdoor").by_rule("phonehome.fetch-and-run") if x.path == "usr/libexec/acme/modem-up"]
    assert len(f) == 1 and f[0].evidence["trigger"] == "hotplug" and f[0].severity.value == "critical"


def test_udev_two_programs_on_one_rule_line(case):
    f = case("udev_backdoor").by_rule("services.bind-shell")
    assert [(x.line, x.evidence.get("port")) for x in f if x.path == "lib/udev/rules.d/85-acme-tty.rules"] == [(3, 7444)]


def test_udev_rule_masked_by_dev_null_is_silent(case):
    r = case("udev_backdoor")
    assert not [f for f in r.findings if "90-acme-old" in f.path]


def test_udev_clean_rules_are_silent(case):
    r = case("udev_clean")
    assert _medium_up(r) == []
    # the helper script is still followed, as started by hotplug
    assert reached_scripts(r.ctx)[""]["usr/libexec/acme/net-added.sh"] == "hotplug"


def test_debian_udev_rules_are_silent(case):
    if not (BOOT / "debian-udev").is_dir():
        pytest.skip("debian-udev fixture not built")
    r = case("debian-udev")
    assert _medium_up(r) == []
    assert any(s["source"].startswith("lib/udev/rules.d/") and s["trigger"] == "hotplug" for s in r.of("service"))


# ----------------------------------------------------------------- kernel command line


def _by_file(r: Result, rule_id: str) -> dict[str, list]:
    out: dict[str, list] = {}
    for f in r.by_rule(rule_id):
        out.setdefault(f.path, []).append(f)
    return out


def test_shell_init_in_every_boot_loader(case):
    f = _by_file(case("cmdline_shell"), "boot.shell-init")
    assert set(f) == {"boot/uboot-env.bin", "boot/grub/grub.cfg", "etc/default/grub", "boot/acme-board.dtb",
                      "boot/cmdline.txt"}
    env = f["boot/uboot-env.bin"][0]
    assert env.category == "debug-interface" and env.severity.value == "high"
    assert env.evidence["program"] == "/bin/ash" and env.evidence["variable"] == "bootargs" and env.offset == 4 + len("baudrate=115200\0bootdelay=2\0")
    assert env.evidence["consoles"] == ["ttyS1,115200"]
    assert f["boot/grub/grub.cfg"][0].evidence["param"] == "rdinit" and f["boot/grub/grub.cfg"][0].line == 4
    assert f["etc/default/grub"][0].evidence["variable"] == "GRUB_CMDLINE_LINUX"
    assert f["boot/acme-board.dtb"][0].evidence["program"] == "/bin/hush"


def test_init_script_that_execs_a_shell(case):
    f = _by_file(case("cmdline_shell"), "boot.shell-init")["boot/cmdline.txt"][0]
    assert f.evidence["program"] == "/usr/sbin/acme-init" and f.evidence["script"] == "usr/sbin/acme-init"
    assert f.evidence["script_line"] == 3


def test_single_user_with_busybox_init_from_uboot_script_image(case):
    f = case("cmdline_shell").by_rule("boot.single-user-shell")
    assert [(x.path, x.severity.value, x.evidence["word"]) for x in f] == [("boot/boot.scr", "high", "single")]


def test_systemd_debug_shell(case):
    f = case("cmdline_shell").by_rule("boot.debug-shell")
    assert [(x.path, x.line) for x in f] == [("boot/extlinux/extlinux.conf", 4)]


def test_command_lines_are_observed(case):
    obs = case("cmdline_clean").of("boot-cmdline")
    sources = {(o["path"], o["source"]) for o in obs}
    assert ("boot/uEnv.txt", "uboot-env") in sources and ("boot/uboot-env.bin", "uboot-env") in sources
    assert ("usr/sbin/fw-upgrade.sh", "uboot-script") in sources and ("etc/default/grub", "default-grub") in sources


def test_clean_boot_configuration_is_silent(case):
    # Debian's recovery entry passes "single" but init is systemd, which asks for the root password
    r = case("cmdline_clean")
    assert _medium_up(r) == []
    # an example in the documentation is named, at low severity
    assert [(f.path, f.severity.value) for f in r.by_rule("boot.shell-init")] == [
        ("usr/share/doc/acme/examples/extlinux-debug.conf", "low")]


@pytest.mark.parametrize("text, expected", [
    ("console=ttyS0 root=/dev/sda1 init=/bin/sh", ("init", "/bin/sh")),
    ("root=/dev/ram0 rdinit=/bin/bash quiet", ("rdinit", "/bin/bash")),
    ("root=/dev/sda1 init=/sbin/init", None),
    ("root=/dev/sda1 systemd.debug_shell=0", None),
])
def test_parameters(text, expected):
    p = parameters(text)
    got = next(((k, p[k]) for k in ("init", "rdinit") if p[k] and p[k].rsplit("/", 1)[-1] in ("sh", "bash")), None)
    assert got == expected
    assert p["debug_shell"] is None


def test_grub_variable_used_on_the_linux_line():
    found = find_cmdlines("boot/grub/grub.cfg", b'set dbgopts="init=/bin/ash"\nmenuentry x {\n'
                          b'  linux /vmlinuz root=/dev/sda1 $dbgopts\n}\n')
    assert [(c.variable, parameters(c.text)["init"]) for c in found if parameters(c.text)["init"]] == [
        ("dbgopts", "/bin/ash")]


def test_prose_is_not_a_command_line():
    assert find_cmdlines("usr/share/doc/x/README", b"Boot with init=/bin/sh and console=ttyS0 to recover.\n") == []


# ----------------------------------------------------------------- console login bypasses


def test_unconditional_login_script_on_console_and_telnet(case):
    r = case("console_bypass")
    console = {(f.path, f.line) for f in r.by_rule("services.console-shell")}
    assert ("usr/libexec/login.sh", 3) in console
    assert ("usr/sbin/acme-console", 3) in console
    tel = r.by_rule("services.telnetd-shell")
    assert [(x.path, x.evidence["script"], x.evidence["port"]) for x in tel] == [
        ("etc/init.d/S40telnet", "usr/libexec/login.sh", 7323)]


def test_boot_script_shell_on_a_serial_port(case):
    f = {(x.path, x.line, x.evidence["tty"]) for x in case("console_bypass").by_rule("services.console-shell")
         if x.path == "etc/init.d/S45debug"}
    assert f == {("etc/init.d/S45debug", 4, "ttyAMA3"), ("etc/init.d/S45debug", 5, "ttyAMA4")}


def test_systemd_getty_dropin_autologin_and_login_options(case):
    f = {(x.path, x.evidence.get("autologin")) for x in case("console_bypass").by_rule("services.console-shell")}
    assert ("etc/systemd/system/serial-getty@ttyS1.service.d/autologin.conf", "root") in f
    assert ("lib/systemd/system/console-getty.service", "root") in f
    assert ("etc/systemd/system/acme-console.service", "maint") in f
    assert all(x.category == "debug-interface" for x in case("console_bypass").by_rule("services.console-shell"))


def test_initramfs_init_that_only_runs_a_shell(case):
    f = case("initramfs_shell").by_rule("services.console-shell")
    assert [(x.path, x.line, x.evidence["started_by"]) for x in f] == [("init", 5, "the kernel as pid 1")]
    assert _medium_up(case("initramfs_clean")) == []


def test_stock_openwrt_login_scripts_and_getty_overrides_are_silent(case):
    assert _medium_up(case("console_clean")) == []


@pytest.mark.parametrize("script, line", [
    ("#!/bin/sh\nexec /bin/ash --login\n", 2),
    ("#!/bin/sh\n[ -f /etc/motd ] && cat /etc/motd\nexec ${SHELL_PROG:-/bin/sh}\n", 3),
    ("#!/bin/sh\nexport TERM=vt100\nexec login -f admin\n", 3),
    ("#!/bin/sh\n[ -e /tmp/debug ] || exec /bin/login\nexec /bin/sh\n", None),
    ("#!/bin/sh\nif grep -q '^root::' /etc/shadow; then exec /bin/ash; fi\nexec /bin/login\n", None),
    ("#!/bin/sh\nread -r pw\n[ \"$pw\" = x ] || exit 1\nexec /bin/sh\n", None),
])
def test_unconditional_shell(script, line):
    g = unconditional_shell(script)
    assert (g.line if g else None) == line


def test_boot_rules_have_requirements_and_tests():
    text = resources.files("nobackdoor.rules").joinpath("boot.rules.yaml").read_text("utf-8")
    rules, reqs = all_rules(), requirements()
    tests = Path(__file__).read_text()
    for item in yaml.safe_load(text):
        rid = item["id"]
        assert rules[rid].requirements and all(r in reqs for r in rules[rid].requirements), rid
        assert rules[rid].category == "debug-interface"
        assert f'"{rid}"' in tests, f"no test names rule {rid}"
