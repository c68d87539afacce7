"""Source-tree analysis: back doors in program source and in build machinery.

* :mod:`.code` reads each source file's syntax tree (tree-sitter) and looks for magic-value
  triggers in front of command execution, built-in passwords beside the real check, privilege
  assignments hidden in conditions and eval of decoded or downloaded data;
* :mod:`.taint` follows remote input (request reads, network reads) through assignments, copies,
  formats, globals and the file's own functions; :mod:`.code` asks it whether a shell runs a
  program the input names (``source.request-executed``) and whether a compared value is input;
* :mod:`.select` chooses the units of a file worth parsing (sinks, credentials, input reads);
* :mod:`.trojan` finds Trojan Source bidi controls and homoglyphs;
* :mod:`.macros` follows C macros defined in headers to the sinks they hide;
* :mod:`.build` reads configure scripts, m4, Makefiles, CMake, setup.py and package.json for build
  steps that decode test data and run it, or download and run code.

Detection knowledge lives in ``rules/source/patterns.yaml``, ``rules/source/taint.yaml`` (sources,
copies, sanitizers) and ``rules/source.rules.yaml``.
"""
