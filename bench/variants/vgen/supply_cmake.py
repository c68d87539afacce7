"""Honest CMake and plain-Makefile release files for the `supply` family, with hook tokens where a
plant can be put (see supply_autotools.py for the principle).

CMake hooks: "cml_mid", "cml_target" (CMakeLists.txt), "cmod:<file>" (cmake/<file>), "ctest"
(tests/CMakeLists.txt), "mkversion" (build-aux/mkversion.sh).
Make hooks: "mk_vars", "mk_rules" (Makefile), "hconf" (hand-written configure), "mkversion".

Written blind: from public write-ups of supply-chain back doors only.
"""
from __future__ import annotations

import random
import textwrap

from .supply_autotools import mkversion_sh
from .supply_tpl import CProj, fill


def _d(s: str) -> str:
    return textwrap.dedent(s).lstrip("\n")


def _cmake_modules(P: CProj) -> dict[str, str]:
    N = P.NAME
    return {
        "Version.cmake": _d(f"""
            # Version.cmake - {N}_BUILD_INFO from git when building a checkout,
            # else from .tarball-version (release tarballs).
            set({N}_BUILD_INFO "${{PROJECT_VERSION}}")
            if(EXISTS "${{PROJECT_SOURCE_DIR}}/.git")
              find_package(Git QUIET)
              if(GIT_FOUND)
                execute_process(
                  COMMAND "${{GIT_EXECUTABLE}}" describe --tags --always --dirty
                  WORKING_DIRECTORY "${{PROJECT_SOURCE_DIR}}"
                  OUTPUT_VARIABLE {N}_BUILD_INFO
                  OUTPUT_STRIP_TRAILING_WHITESPACE
                  ERROR_QUIET)
              endif()
            elseif(EXISTS "${{PROJECT_SOURCE_DIR}}/.tarball-version")
              file(READ "${{PROJECT_SOURCE_DIR}}/.tarball-version" {N}_BUILD_INFO)
              string(STRIP "${{{N}_BUILD_INFO}}" {N}_BUILD_INFO)
            endif()
            @@HOOK@@
            message(STATUS "{P.name} build info: ${{{N}_BUILD_INFO}}")
            """),
        "Warnings.cmake": _d(f"""
            # Warnings.cmake - enable the warnings the compiler understands.
            include(CheckCCompilerFlag)
            set({N}_WARN_FLAGS)
            foreach(flag -Wall -Wextra -Wvla -Wformat=2 -Wshadow)
              string(MAKE_C_IDENTIFIER "HAVE_CFLAG${{flag}}" var)
              check_c_compiler_flag("${{flag}}" ${{var}})
              if(${{var}})
                list(APPEND {N}_WARN_FLAGS "${{flag}}")
              endif()
            endforeach()
            @@HOOK@@
            check_c_compiler_flag(-fvisibility=hidden HAVE_VISIBILITY)
            if(HAVE_VISIBILITY)
              set(CMAKE_C_VISIBILITY_PRESET hidden)
            endif()
            """),
        "TestData.cmake": _d(f"""
            # TestData.cmake - locate the tools used to unpack compressed test
            # vectors and register one test per file under {P.testdir}.
            find_program(XZ_EXECUTABLE xz)
            find_program(GZIP_EXECUTABLE gzip)
            set({N}_TESTDATA_DIR "${{PROJECT_SOURCE_DIR}}/{P.testdir}")
            @@HOOK@@
            function({P.pfx}_add_file_test name file expect)
              add_test(NAME ${{name}}
                COMMAND ${{CMAKE_COMMAND}} -E env srcdir=${{PROJECT_SOURCE_DIR}}/tests
                        PROG=$<TARGET_FILE:{P.name}-cli>
                        sh ${{PROJECT_SOURCE_DIR}}/tests/test_files.sh)
              set_tests_properties(${{name}} PROPERTIES LABELS "${{expect}}")
            endfunction()
            """),
        "Packaging.cmake": _d(f"""
            # Packaging.cmake - source and binary packages with CPack.
            set(CPACK_PACKAGE_NAME "{P.name}")
            set(CPACK_PACKAGE_VENDOR "{P.author}")
            set(CPACK_PACKAGE_VERSION "${{PROJECT_VERSION}}")
            set(CPACK_SOURCE_GENERATOR "TXZ")
            set(CPACK_SOURCE_IGNORE_FILES "/build/;/\\\\.git/;~$")
            @@HOOK@@
            set(CPACK_GENERATOR "TGZ")
            include(CPack)
            """),
    }


def draw_layout(P: CProj, rng: random.Random) -> dict:
    mods = sorted(_cmake_modules(P))
    rng.shuffle(mods)
    chosen = sorted(set(mods[:rng.randint(2, 4)]) | {"Version.cmake"})
    return {"modules": chosen, "min": rng.choice(["3.13", "3.16", "3.20"]), "std": rng.choice(["99", "11"])}


def render_cmake(P: CProj, L: dict, hooks: dict, testfiles: list[str]) -> dict[str, str]:
    mods = _cmake_modules(P)
    N = P.NAME
    includes = "\n".join(f"include({m[:-6]})" for m in L["modules"] if m != "Packaging.cmake")
    files = {}
    for m in L["modules"]:
        files[f"cmake/{m}"] = fill(mods[m], HOOK=hooks.get(f"cmod:{m}", "")) + "\n"
    files["CMakeLists.txt"] = fill(f"""
        cmake_minimum_required(VERSION {L["min"]})
        project({P.name} VERSION {P.version} LANGUAGES C)

        set(CMAKE_C_STANDARD {L["std"]})
        set(CMAKE_C_STANDARD_REQUIRED ON)
        list(APPEND CMAKE_MODULE_PATH "${{PROJECT_SOURCE_DIR}}/cmake")

        option({N}_BUILD_TESTS "Build the test programs" ON)
        option({N}_INSTALL "Generate the install target" ON)

        @@INCLUDES@@
        @@MID@@

        configure_file(src/config.h.cmake.in "${{PROJECT_BINARY_DIR}}/config.h")
        add_custom_command(
          OUTPUT "${{PROJECT_BINARY_DIR}}/version.h"
          COMMAND sh "${{PROJECT_SOURCE_DIR}}/build-aux/mkversion.sh" "${{PROJECT_SOURCE_DIR}}"
                  "${{PROJECT_VERSION}}" > "${{PROJECT_BINARY_DIR}}/version.h"
          DEPENDS "${{PROJECT_SOURCE_DIR}}/build-aux/mkversion.sh"
          VERBATIM)

        add_library({P.name} STATIC src/crc32.c src/codec.c)
        target_include_directories({P.name} PUBLIC
          "$<BUILD_INTERFACE:${{PROJECT_SOURCE_DIR}}/src;${{PROJECT_BINARY_DIR}}>"
          "$<INSTALL_INTERFACE:include>")
        target_compile_options({P.name} PRIVATE ${{{N}_WARN_FLAGS}})
        @@TARGET@@

        add_executable({P.name}-cli src/main.c "${{PROJECT_BINARY_DIR}}/version.h")
        set_target_properties({P.name}-cli PROPERTIES OUTPUT_NAME {P.name})
        target_link_libraries({P.name}-cli PRIVATE {P.name})

        if({N}_BUILD_TESTS)
          enable_testing()
          add_subdirectory(tests)
        endif()

        if({N}_INSTALL)
          include(GNUInstallDirs)
          install(TARGETS {P.name} {P.name}-cli
                  ARCHIVE DESTINATION ${{CMAKE_INSTALL_LIBDIR}}
                  RUNTIME DESTINATION ${{CMAKE_INSTALL_BINDIR}})
          install(FILES src/{P.name}.h DESTINATION ${{CMAKE_INSTALL_INCLUDEDIR}})
        endif()
        @@PACK@@
        """, INCLUDES=includes, MID=hooks.get("cml_mid", ""), TARGET=hooks.get("cml_target", ""),
        PACK="include(Packaging)" if "Packaging.cmake" in L["modules"] else "") + "\n"
    files["tests/CMakeLists.txt"] = fill(f"""
        add_executable(test_roundtrip test_roundtrip.c)
        target_link_libraries(test_roundtrip PRIVATE {P.name})
        add_test(NAME roundtrip COMMAND test_roundtrip)

        find_program(SH_EXECUTABLE sh)
        set(TESTDATA "${{PROJECT_SOURCE_DIR}}/{P.testdir}")
        @@HOOK@@
        add_test(NAME files
          COMMAND ${{CMAKE_COMMAND}} -E env srcdir=${{CMAKE_CURRENT_SOURCE_DIR}}
                  PROG=$<TARGET_FILE:{P.name}-cli>
                  ${{SH_EXECUTABLE}} ${{CMAKE_CURRENT_SOURCE_DIR}}/test_files.sh)
        # test vectors: {" ".join(f.rsplit("/", 1)[-1] for f in testfiles)}
        """, HOOK=hooks.get("ctest", "")) + "\n"
    files["src/config.h.cmake.in"] = fill(f"""
        /* config.h generated by CMake from config.h.cmake.in */
        #define PACKAGE_NAME "@PROJECT_NAME@"
        #define PACKAGE_VERSION "@PROJECT_VERSION@"
        #define PACKAGE_STRING "@PROJECT_NAME@ @PROJECT_VERSION@"
        #cmakedefine01 HAVE_VISIBILITY
        """) + "\n"
    files["build-aux/mkversion.sh"] = (mkversion_sh(P, hooks.get("mkversion", "")), 0o755)
    files[".tarball-version"] = P.version + "\n"
    return files


def draw_make_layout(P: CProj, rng: random.Random) -> dict:
    return {"cc_default": rng.choice(["cc", "gcc"]), "opt": rng.choice(["-O2", "-Os", "-O2 -g"]),
            "ar": rng.choice(["ar", "$(CROSS_COMPILE)ar"])}


def render_make(P: CProj, L: dict, hooks: dict, testfiles: list[str]) -> dict[str, str]:
    files = {}
    files["Makefile"] = fill(f"""
        # Makefile for {P.name} - run ./configure first (it writes config.mak)
        -include config.mak

        CC ?= {L["cc_default"]}
        AR = {L["ar"]}
        CFLAGS ?= {L["opt"]}
        CFLAGS += -std=c99 -Wall -Wextra -Isrc -I.
        PREFIX ?= /usr/local
        SRCDIR ?= .
        VERSION = {P.version}

        LIB = lib{P.name}.a
        LIBOBJS = src/crc32.o src/codec.o
        BIN = {P.name}
        TESTS = tests/test_roundtrip
        @@VARS@@

        all: $(LIB) $(BIN)

        $(LIB): $(LIBOBJS)
        	$(AR) rcs $@ $^

        $(BIN): src/main.o $(LIB)
        	$(CC) $(LDFLAGS) -o $@ src/main.o $(LIB)

        src/main.o: src/main.c version.h config.h
        src/%.o: src/%.c src/{P.name}.h config.h
        	$(CC) $(CFLAGS) -c -o $@ $<

        version.h: build-aux/mkversion.sh
        	sh build-aux/mkversion.sh $(SRCDIR) $(VERSION) > $@

        config.h:
        	@echo "run ./configure first"; exit 1
        @@RULES@@

        tests/test_roundtrip: tests/test_roundtrip.o $(LIB)
        	$(CC) $(LDFLAGS) -o $@ tests/test_roundtrip.o $(LIB)

        test: $(TESTS) $(BIN)
        	./tests/test_roundtrip
        	srcdir=tests PROG=./$(BIN) sh tests/test_files.sh

        install: all
        	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include
        	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/
        	install -m 644 $(LIB) $(DESTDIR)$(PREFIX)/lib/
        	install -m 644 src/{P.name}.h $(DESTDIR)$(PREFIX)/include/

        clean:
        	rm -f src/*.o tests/*.o $(LIB) $(BIN) $(TESTS) version.h

        distclean: clean
        	rm -f config.mak config.h

        .PHONY: all test install clean distclean
        """, VARS=hooks.get("mk_vars", ""), RULES=hooks.get("mk_rules", "")) + "\n"
    files["configure"] = (fill(f"""
        #!/bin/sh
        # configure for {P.name}: a small hand-written script in the style of
        # musl's, not generated by autoconf. It writes config.mak and config.h.

        usage () {{
        cat <<EOF
        Usage: $0 [OPTION]... [VAR=VALUE]...

          --prefix=PREFIX   installation prefix [/usr/local]
          --host=TRIPLET    cross-compile for TRIPLET
          --disable-static  do not install lib{P.name}.a
          CC, CFLAGS, LDFLAGS  compiler and flags
        EOF
        exit 0
        }}

        fail () {{ echo "$*" >&2 ; exit 1 ; }}
        echo_ () {{ printf '%s\\n' "$*" ; }}

        prefix=/usr/local
        host=
        static=yes
        srcdir=${{0%/configure}}
        test "$srcdir" = "$0" && srcdir=.

        for arg ; do
        case "$arg" in
        --help|-h) usage ;;
        --prefix=*) prefix=${{arg#*=}} ;;
        --host=*) host=${{arg#*=}} ;;
        --disable-static) static=no ;;
        --enable-static) static=yes ;;
        CC=*) CC=${{arg#*=}} ;;
        CFLAGS=*) CFLAGS=${{arg#*=}} ;;
        LDFLAGS=*) LDFLAGS=${{arg#*=}} ;;
        -* ) echo "$0: unknown option $arg" >&2 ;;
        esac
        done

        test -n "$host" && cross=$host-
        printf "checking for C compiler... "
        for c in ${{CC}} ${{cross}}gcc ${{cross}}cc ; do
        command -v "$c" >/dev/null 2>&1 && {{ CC=$c ; break ; }}
        done
        test -n "$CC" || fail "no C compiler found"
        echo_ "$CC"

        printf "checking whether compiler accepts -fvisibility=hidden... "
        tmpc=./conf$$.c
        echo 'int x;' > "$tmpc"
        if $CC -fvisibility=hidden -c -o /dev/null "$tmpc" >/dev/null 2>&1 ; then
        vis=1 ; echo_ yes
        else
        vis=0 ; echo_ no
        fi
        rm -f "$tmpc"
        @@HOOK@@

        printf "creating config.mak... "
        cat > config.mak <<EOF
        # generated by configure
        CC = $CC
        CFLAGS = ${{CFLAGS:-{L["opt"]}}}
        LDFLAGS = $LDFLAGS
        PREFIX = $prefix
        SRCDIR = $srcdir
        EOF
        echo_ done
        printf "creating config.h... "
        cat > config.h <<EOF
        #define PACKAGE_NAME "{P.name}"
        #define PACKAGE_VERSION "{P.version}"
        #define PACKAGE_STRING "{P.name} {P.version}"
        #define HAVE_VISIBILITY $vis
        EOF
        echo_ done
        """, HOOK=hooks.get("hconf", "")) + "\n", 0o755)
    files["build-aux/mkversion.sh"] = (mkversion_sh(P, hooks.get("mkversion", "")), 0o755)
    files[".tarball-version"] = P.version + "\n"
    return files
