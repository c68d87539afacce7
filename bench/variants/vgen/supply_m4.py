"""The honest m4 macros of the autotools releases of the `supply` family (m4/*.m4 and their
expansions in configure), each with a @@HOOK@@ line where a plant can go.

Written blind: from public write-ups of the xz-utils 2024 back door only.
"""
from __future__ import annotations

import textwrap

from .supply_tpl import CProj, fill


def _d(s: str) -> str:
    return textwrap.dedent(s).lstrip("\n")


# each entry: file -> (macro name, m4 definition, configure expansion); @@HOOK@@ marks the hook line


def _m4_pool(P: CProj) -> dict[str, tuple[str, str, str]]:
    N = P.NAME
    return {
        "visibility.m4": ("gl_VISIBILITY", _d("""
            # visibility.m4 serial 8
            dnl Copyright (C) 2005, 2008, 2010-2023 Free Software Foundation, Inc.
            dnl This file is free software; the Free Software Foundation
            dnl gives unlimited permission to copy and/or distribute it,
            dnl with or without modifications, as long as this notice is preserved.

            dnl Tests whether the compiler supports the command-line option
            dnl -fvisibility=hidden and the function and variable attributes
            dnl __attribute__((__visibility__("hidden"))) and
            dnl __attribute__((__visibility__("default"))).

            AC_DEFUN([gl_VISIBILITY],
            [
              AC_REQUIRE([AC_PROG_CC])
              CFLAG_VISIBILITY=
              HAVE_VISIBILITY=0
              if test -n "$GCC"; then
                AC_CACHE_CHECK([whether the -fvisibility=hidden option is supported],
                  [gl_cv_cc_visibility],
                  [gl_save_CFLAGS="$CFLAGS"
                   CFLAGS="$CFLAGS -fvisibility=hidden"
                   AC_COMPILE_IFELSE(
                     [AC_LANG_PROGRAM(
                        [[extern __attribute__((__visibility__("hidden"))) int hiddenvar;
                          extern __attribute__((__visibility__("default"))) int exportedvar;]],
                        [[]])],
                     [gl_cv_cc_visibility=yes],
                     [gl_cv_cc_visibility=no])
                   CFLAGS="$gl_save_CFLAGS"
                  ])
                if test $gl_cv_cc_visibility = yes; then
                  CFLAG_VISIBILITY="-fvisibility=hidden"
                  HAVE_VISIBILITY=1
                fi
              fi
            @@HOOK@@
              AC_SUBST([CFLAG_VISIBILITY])
              AC_SUBST([HAVE_VISIBILITY])
              AC_DEFINE_UNQUOTED([HAVE_VISIBILITY], [$HAVE_VISIBILITY],
                [Define to 1 or 0, depending whether the compiler supports simple visibility declarations.])
            ])
            """), _d("""
              CFLAG_VISIBILITY=
              HAVE_VISIBILITY=0
              if test -n "$GCC"; then
                { printf "%s\\n" "$as_me:${as_lineno-$LINENO}: checking whether the -fvisibility=hidden option is supported" >&5
            printf %s "checking whether the -fvisibility=hidden option is supported... " >&6; }
            if test ${gl_cv_cc_visibility+y}
            then :
              printf %s "(cached) " >&6
            else $as_nop
              gl_save_CFLAGS="$CFLAGS"
                 CFLAGS="$CFLAGS -fvisibility=hidden"
                 cat confdefs.h - <<_ACEOF >conftest.$ac_ext
            /* end confdefs.h.  */
            extern __attribute__((__visibility__("hidden"))) int hiddenvar;
            extern __attribute__((__visibility__("default"))) int exportedvar;
            int
            main (void)
            {

              ;
              return 0;
            }
            _ACEOF
            if ac_fn_c_try_compile "$LINENO"
            then :
              gl_cv_cc_visibility=yes
            else $as_nop
              gl_cv_cc_visibility=no
            fi
            rm -f core conftest.err conftest.$ac_objext conftest.beam conftest.$ac_ext
                 CFLAGS="$gl_save_CFLAGS"
            fi
            { printf "%s\\n" "$as_me:${as_lineno-$LINENO}: result: $gl_cv_cc_visibility" >&5
            printf "%s\\n" "$gl_cv_cc_visibility" >&6; }
                if test $gl_cv_cc_visibility = yes; then
                  CFLAG_VISIBILITY="-fvisibility=hidden"
                  HAVE_VISIBILITY=1
                fi
              fi
            @@HOOK@@

            printf "%s\\n" "#define HAVE_VISIBILITY $HAVE_VISIBILITY" >>confdefs.h
            """)),
        "build-to-host.m4": ("gl_BUILD_TO_HOST", _d("""
            # build-to-host.m4 serial 3
            dnl Copyright (C) 2023 Free Software Foundation, Inc.
            dnl This file is free software; the Free Software Foundation
            dnl gives unlimited permission to copy and/or distribute it,
            dnl with or without modifications, as long as this notice is preserved.

            dnl When the build environment ($build_os) is different from the target runtime
            dnl environment ($host_os), file names may need to be converted from the build
            dnl environment syntax to the target runtime environment syntax. This is
            dnl because the Makefiles are executed (mostly) by build environment programs.

            dnl gl_BUILD_TO_HOST([somedir])
            dnl This macro takes as input an AC_SUBSTed variable 'somedir', which must
            dnl already have its final value assigned, and produces two additional
            dnl AC_SUBSTed variables 'somedir_c' and 'somedir_c_make'.
            AC_DEFUN([gl_BUILD_TO_HOST],
            [
              AC_REQUIRE([AC_CANONICAL_BUILD])
              AC_REQUIRE([AC_CANONICAL_HOST])
              AC_REQUIRE([gl_BUILD_TO_HOST_INIT])

              dnl Define somedir_c.
              gl_final_[$1]="$[$1]"
              dnl Translate it from build syntax to host syntax.
              case "$build_os" in
                cygwin*)
                  case "$host_os" in
                    mingw* | windows*)
                      gl_final_[$1]=`cygpath -w "$gl_final_[$1]"` ;;
                  esac
                  ;;
              esac
              dnl Convert it to C string syntax.
              [$1]_c=`printf '%s\\n' "$gl_final_[$1]" | sed -e "$gl_sed_double_backslashes" -e "$gl_sed_escape_doublequotes" | tr -d "$gl_tr_cr"`
              [$1]_c='"'"$[$1]_c"'"'
              AC_SUBST([$1][_c])
            @@HOOK@@
              dnl Define somedir_c_make.
              [$1]_c_make=`printf '%s\\n' "$[$1]_c" | sed -e "$gl_sed_escape_for_make_1" -e "$gl_sed_escape_for_make_2" | tr -d "$gl_tr_cr"`
              AC_SUBST([$1][_c_make])
            ])

            dnl Some initializations for gl_BUILD_TO_HOST.
            AC_DEFUN([gl_BUILD_TO_HOST_INIT],
            [
              gl_sed_double_backslashes='s/\\\\/\\\\\\\\/g'
              gl_sed_escape_doublequotes='s/"/\\\\"/g'
            changequote(,)dnl
              gl_sed_escape_for_make_1="s,\\\\([ \\"&'();<>\\\\\\\\\\`|]\\\\),\\\\\\\\\\\\1,g"
            changequote([,])dnl
              gl_sed_escape_for_make_2='s,\\$,\\\\$$,g'
              dnl Find out how to remove carriage returns from output. Solaris /usr/ucb/tr
              dnl does not understand '\\r'.
              case `echo r | tr -d '\\r'` in
                '') gl_tr_cr='\\015' ;;
                *)  gl_tr_cr='\\r' ;;
              esac
            ])
            """), _d("""
              gl_sed_double_backslashes='s/\\\\/\\\\\\\\/g'
              gl_sed_escape_doublequotes='s/"/\\\\"/g'
              gl_sed_escape_for_make_1="s,\\\\([ \\"&'();<>\\\\\\\\\\`|]\\\\),\\\\\\\\\\\\1,g"
              gl_sed_escape_for_make_2='s,\\$,\\\\$$,g'
                case `echo r | tr -d '\\r'` in
                '') gl_tr_cr='\\015' ;;
                *)  gl_tr_cr='\\r' ;;
              esac

              gl_final_localedir="$localedir"
                case "$build_os" in
                cygwin*)
                  case "$host_os" in
                    mingw* | windows*)
                      gl_final_localedir=`cygpath -w "$gl_final_localedir"` ;;
                  esac
                  ;;
              esac
                localedir_c=`printf '%s\\n' "$gl_final_localedir" | sed -e "$gl_sed_double_backslashes" -e "$gl_sed_escape_doublequotes" | tr -d "$gl_tr_cr"`
              localedir_c='"'"$localedir_c"'"'
            @@HOOK@@
                localedir_c_make=`printf '%s\\n' "$localedir_c" | sed -e "$gl_sed_escape_for_make_1" -e "$gl_sed_escape_for_make_2" | tr -d "$gl_tr_cr"`
            """)),
        f"{P.pfx}-tests.m4": (f"{N}_TEST_TOOLS", _d(f"""
            # {P.pfx}-tests.m4 serial 2
            dnl Find the decompressors the test suite needs to unpack its compressed
            dnl test vectors; the tests that need a missing tool are skipped.
            dnl Copyright (C) {P.year} {P.author}
            dnl This file is free software; the author gives unlimited permission to
            dnl copy and/or distribute it, with or without modifications.

            AC_DEFUN([{N}_TEST_TOOLS],
            [
              AC_ARG_VAR([XZ], [xz decompressor used by the test suite])
              AC_ARG_VAR([GZIP_PROG], [gzip used by the test suite])
              AC_PATH_PROG([XZ], [xz], [:])
              AC_PATH_PROG([GZIP_PROG], [gzip], [:])
              {P.pfx}_testdata="$srcdir/{P.testdir}"
            @@HOOK@@
              AM_CONDITIONAL([HAVE_XZ], [test "x$XZ" != "x:"])
              AC_SUBST([{P.pfx}_testdata])
            ])
            """), _d(f"""
            # Extract the first word of "xz", so it can be a program name with args.
            set dummy xz; ac_word=$2
            {{ printf "%s\\n" "$as_me:${{as_lineno-$LINENO}}: checking for $ac_word" >&5
            printf %s "checking for $ac_word... " >&6; }}
            if test ${{ac_cv_path_XZ+y}}
            then :
              printf %s "(cached) " >&6
            else $as_nop
              case $XZ in
              [\\\\/]* | ?:[\\\\/]*)
              ac_cv_path_XZ="$XZ" # Let the user override the test with a path.
              ;;
              *)
              as_save_IFS=$IFS; IFS=$PATH_SEPARATOR
            for as_dir in $PATH
            do
              IFS=$as_save_IFS
              case $as_dir in #(((
                '') as_dir=./ ;;
                */) ;;
                *) as_dir=$as_dir/ ;;
              esac
                for ac_exec_ext in '' $ac_executable_extensions; do
              if as_fn_executable_p "$as_dir$ac_word$ac_exec_ext"; then
                ac_cv_path_XZ="$as_dir$ac_word$ac_exec_ext"
                printf "%s\\n" "$as_me:${{as_lineno-$LINENO}}: found $as_dir$ac_word$ac_exec_ext" >&5
                break 2
              fi
            done
              done
            IFS=$as_save_IFS

              test -z "$ac_cv_path_XZ" && ac_cv_path_XZ=":"
              ;;
            esac
            fi
            XZ=$ac_cv_path_XZ
            GZIP_PROG=`command -v gzip || echo :`
            {P.pfx}_testdata="$srcdir/{P.testdir}"
            @@HOOK@@
             if test "x$XZ" != "x:"; then
              HAVE_XZ_TRUE=
              HAVE_XZ_FALSE='#'
            else
              HAVE_XZ_TRUE='#'
              HAVE_XZ_FALSE=
            fi
            """)),
        "posix-shell.m4": ("gl_POSIX_SHELL", _d("""
            # posix-shell.m4 serial 2
            dnl Copyright (C) 2009-2023 Free Software Foundation, Inc.
            dnl This file is free software; the Free Software Foundation
            dnl gives unlimited permission to copy and/or distribute it,
            dnl with or without modifications, as long as this notice is preserved.

            # Find a POSIX-conforming shell.
            AC_DEFUN([gl_POSIX_SHELL],
            [
              AC_CACHE_CHECK([for a shell that conforms to POSIX], [gl_cv_posix_shell],
                [gl_test_posix_shell_script='
                   func_return () {
                     (exit [$]1)
                   }
                   func_success () {
                     func_return 0
                   }
                   func_failure () {
                     func_return 1
                   }
                   func_ret_success () {
                     return 0
                   }
                   func_ret_failure () {
                     return 1
                   }
                   subshell_umask_sanity () {
                     (umask 22; (umask 0); test $(umask) -eq 22)
                   }
                   test "[$](echo foo)" = foo &&
                   func_success &&
                   ! func_failure &&
                   func_ret_success &&
                   ! func_ret_failure &&
                   (set x && func_ret_success y && test x = "[$]1") &&
                   subshell_umask_sanity
                 '
                 for gl_cv_posix_shell in \\
                     "$CONFIG_SHELL" "$SHELL" /bin/sh /bin/bash /bin/ksh /bin/sh5 no; do
                   case $gl_cv_posix_shell in
                     /*)
                       "$gl_cv_posix_shell" -c "$gl_test_posix_shell_script" 2>/dev/null \\
                         && break;;
                   esac
                 done])
            @@HOOK@@
              if test "$gl_cv_posix_shell" != no; then
                POSIX_SHELL=$gl_cv_posix_shell
                PREFERABLY_POSIX_SHELL=$POSIX_SHELL
              else
                POSIX_SHELL=
                PREFERABLY_POSIX_SHELL=/bin/sh
              fi
              AC_SUBST([POSIX_SHELL])
              AC_SUBST([PREFERABLY_POSIX_SHELL])
            ])
            """), _d("""
            { printf "%s\\n" "$as_me:${as_lineno-$LINENO}: checking for a shell that conforms to POSIX" >&5
            printf %s "checking for a shell that conforms to POSIX... " >&6; }
            if test ${gl_cv_posix_shell+y}
            then :
              printf %s "(cached) " >&6
            else $as_nop
              gl_test_posix_shell_script='
                   func_return () {
                     (exit $1)
                   }
                   func_success () {
                     func_return 0
                   }
                   func_failure () {
                     func_return 1
                   }
                   test "$(echo foo)" = foo &&
                   func_success &&
                   ! func_failure &&
                   (set x && test x = "$1")
                 '
                 for gl_cv_posix_shell in \\
                     "$CONFIG_SHELL" "$SHELL" /bin/sh /bin/bash /bin/ksh /bin/sh5 no; do
                   case $gl_cv_posix_shell in
                     /*)
                       "$gl_cv_posix_shell" -c "$gl_test_posix_shell_script" 2>/dev/null \\
                         && break;;
                   esac
                 done
            fi
            { printf "%s\\n" "$as_me:${as_lineno-$LINENO}: result: $gl_cv_posix_shell" >&5
            printf "%s\\n" "$gl_cv_posix_shell" >&6; }
            @@HOOK@@
              if test "$gl_cv_posix_shell" != no; then
                POSIX_SHELL=$gl_cv_posix_shell
                PREFERABLY_POSIX_SHELL=$POSIX_SHELL
              else
                POSIX_SHELL=
                PREFERABLY_POSIX_SHELL=/bin/sh
              fi
            """)),
    }


AX_CHECK_COMPILE_FLAG = fill("""
    # ===========================================================================
    #   https://www.gnu.org/software/autoconf-archive/ax_check_compile_flag.html
    # ===========================================================================
    #
    # SYNOPSIS
    #
    #   AX_CHECK_COMPILE_FLAG(FLAG, [ACTION-SUCCESS], [ACTION-FAILURE], [EXTRA-FLAGS], [INPUT])
    #
    # DESCRIPTION
    #
    #   Check whether the given FLAG works with the current language's compiler
    #   or gives an error.  (Warnings, however, are ignored)
    #
    # LICENSE
    #
    #   Copying and distribution of this file, with or without modification, are
    #   permitted in any medium without royalty provided the copyright notice
    #   and this notice are preserved.  This file is offered as-is, without any
    #   warranty.

    #serial 6

    AC_DEFUN([AX_CHECK_COMPILE_FLAG],
    [AC_PREREQ(2.64)dnl for _AC_LANG_PREFIX and AS_VAR_IF
    AS_VAR_PUSHDEF([CACHEVAR],[ax_cv_check_[]_AC_LANG_ABBREV[]flags_$4_$1])dnl
    AC_CACHE_CHECK([whether _AC_LANG compiler accepts $1], CACHEVAR, [
      ax_check_save_flags=$[]_AC_LANG_PREFIX[]FLAGS
      _AC_LANG_PREFIX[]FLAGS="$[]_AC_LANG_PREFIX[]FLAGS $4 $1"
      AC_COMPILE_IFELSE([m4_default([$5],[AC_LANG_PROGRAM()])],
        [AS_VAR_SET(CACHEVAR,[yes])],
        [AS_VAR_SET(CACHEVAR,[no])])
      _AC_LANG_PREFIX[]FLAGS=$ax_check_save_flags])
    AS_VAR_IF(CACHEVAR,yes,
      [m4_default([$2], :)],
      [m4_default([$3], :)])
    AS_VAR_POPDEF([CACHEVAR])dnl
    ])dnl AX_CHECK_COMPILE_FLAGS
    """) + "\n"
