"""Two tiny root filesystems built at test time: an honest one and its twin with a planted
maintenance shell and an extra uid-0 account. Names, ports and passwords are this project's own."""
from __future__ import annotations

import os
from pathlib import Path

# md5-crypt of a throwaway password, made for these tests only
_HASH = "$1$nbdtest0$Q0q0ePjvw1gG8Xk7lYd3k."

CLEAN = {
    "etc/passwd": "root:x:0:0:root:/root:/bin/sh\n"
                  "daemon:x:1:1:daemon:/usr/sbin:/bin/false\n"
                  "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n",
    "etc/shadow": f"root:{_HASH}:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\nnobody:*:19000:0:99999:7:::\n",
    "etc/group": "root:x:0:\ndaemon:x:1:\nnogroup:x:65534:\n",
    "etc/inittab": "::sysinit:/etc/init.d/rcS\n::ctrlaltdel:/sbin/reboot\n",
    "etc/init.d/rcS": "#!/bin/sh\nmount -a\n/usr/sbin/dropbear -p 8022 -s\n/usr/sbin/httpd -p 8088 -h /www\n",
    "www/index.html": "<html><body>router</body></html>\n",
}

PLANTED_EXTRA_RCS = "/usr/sbin/telnetd -l /bin/sh -p 6107\n"
PLANTED_ACCOUNT = ("fieldsvc", "fieldsvc:x:0:0:field service:/root:/bin/sh\n", f"fieldsvc:{_HASH}:19000:0:99999:7:::\n")


def build(root: Path, planted: bool = False) -> Path:
    files = dict(CLEAN)
    if planted:
        files["etc/init.d/rcS"] += PLANTED_EXTRA_RCS
        files["etc/passwd"] += PLANTED_ACCOUNT[1]
        files["etc/shadow"] += PLANTED_ACCOUNT[2]
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    (root / "etc/init.d/rcS").chmod(0o755)
    for d in ("bin", "sbin", "usr/sbin", "root"):
        (root / d).mkdir(parents=True, exist_ok=True)
    # a multi-call binary stand-in and its applet links, like a busybox system
    (root / "bin/busybox").write_bytes(b"\0" * 64)
    for applet in ("bin/sh", "usr/sbin/telnetd", "usr/sbin/httpd", "sbin/reboot"):
        target = root / applet
        if not target.is_symlink():
            os.symlink(os.path.relpath(root / "bin/busybox", target.parent), target)
    (root / "usr/sbin/dropbear").write_bytes(b"\0" * 64)
    return root
