import argparse
import subprocess
import sys

from .core import dump, load


def main(argv=None):
    ap = argparse.ArgumentParser(prog="netconf-tal")
    ap.add_argument("file", nargs="?")
    ap.add_argument("--fetch", metavar="HOST", help="read the running config over ssh")
    args = ap.parse_args(argv)
    if args.fetch:
        # fixed argv, no shell
        text = subprocess.run(["ssh", "-o", "BatchMode=yes", args.fetch, "show", "running-config"],
                              check=True, capture_output=True, text=True).stdout
    elif args.file:
        with open(args.file, encoding="utf-8") as fh:
            text = fh.read()
    else:
        text = sys.stdin.read()
    sys.stdout.write(dump(load(text)))
    return 0

