"""Back doors in compiled binaries (ELF, every router architecture).

Modules, lowest first: ``elf`` (the loaded image: memory, imports), ``functions`` (raw call scan,
function starts, call graph), ``model`` (what a walk yields), ``lift`` (machine code of every
architecture to P-code, walked once per function: call arguments, compares, stores), ``sinks`` and
``ranking`` (what a call and a constant mean), ``flow`` (network input to commands, sockets to shells,
credential files to connections), ``credentials`` (master passwords by where the compared value comes
from), ``state`` (constant compares that write a login's state), ``analyzer`` (the per-file decision),
``listeners`` (tree stage) and ``yara`` (known back doors).
"""
