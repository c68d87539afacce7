"""Back doors in compiled binaries (ELF, every router architecture).

Modules, lowest first: ``elf`` (the loaded image: memory, imports), ``disasm`` (Capstone per
architecture), ``functions`` (raw call scan, function starts, call graph), ``constants`` (register
tracking that resolves call arguments to bytes), ``sinks`` and ``ranking`` (what a call and a constant
mean), ``analyzer`` (the per-file decision), ``listeners`` (tree stage) and ``yara`` (known back doors).
"""
