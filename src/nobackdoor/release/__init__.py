"""Delivered = reviewed: compare a source release with the reviewed repository (``release-check``)
and delivered binaries with a reproducible rebuild of the reviewed source (``rebuild-check``).

Modules: :mod:`.repo` opens repositories and releases safely, :mod:`.compare` classifies file
differences, :mod:`.autotools` regenerates an autotools build system from the tag, :mod:`.rebuild`
rebuilds source reproducibly and compares binaries, :mod:`.check` ties release-check together.
"""
