"""Blind variant corpus generators (see bench/variants/README.md).

Written from the issue text and public write-ups only; nothing here reads the scanner's source.
"""
