# Two commands on a fresh Debian machine: `make demo` and `make test`.
# Both install what they need: Debian tools through apt-get when run as root (otherwise the one
# apt-get line to run is printed), a .venv, and the package with its test extras.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

# Debian packages: extractors unblob drives, autotools for release-check, chromium for the HTML
# report test, PostgreSQL for the store test.
APT_PACKAGES := squashfs-tools p7zip-full cpio e2fsprogs u-boot-tools mtd-utils lzop lz4 zstd xz-utils \
	unar lziprecover libmagic1 file git autoconf automake libtool make gcc chromium postgresql
# one command per package, to see what is missing without asking dpkg
APT_COMMANDS := unsquashfs 7z cpio debugfs mkimage lzop lz4 zstd xz unar lziprecover file git autoreconf \
	automake libtool make gcc chromium

.PHONY: demo test setup system-deps venv bench clean fixtures variants variants-deps

demo: setup
	$(BIN)/nobackdoor scan examples/firmware/demo-router-fw.bin --format text || [ $$? -eq 1 ]

test: setup
	$(BIN)/python -m pytest -q -n 2 --dist loadfile

setup: system-deps venv

system-deps:
	@missing=""; for c in $(APT_COMMANDS); do command -v $$c >/dev/null 2>&1 || missing="$$missing $$c"; done; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "installing Debian packages (missing:$$missing)"; \
			apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $(APT_PACKAGES); \
		else \
			echo "missing tools:$$missing"; \
			echo "run as root:  apt-get install -y $(APT_PACKAGES)"; exit 1; \
		fi; \
	fi

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

bench: setup
	$(BIN)/python bench/run_bench.py

# the blind variant corpus (bench/variants): cross compilers and image tools from Debian, then both splits
VARIANT_PACKAGES := gcc-mipsel-linux-gnu gcc-mips-linux-gnu gcc-arm-linux-gnueabi gcc-arm-linux-gnueabihf \
	gcc-aarch64-linux-gnu gcc-powerpc-linux-gnu gcc-powerpc64le-linux-gnu musl-tools zip
variants-deps:
	@if ! command -v mips-linux-gnu-gcc >/dev/null 2>&1 || ! command -v musl-gcc >/dev/null 2>&1; then \
		if [ "$$(id -u)" = 0 ]; then apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(VARIANT_PACKAGES); \
		else echo "run as root:  apt-get install -y $(VARIANT_PACKAGES)"; exit 1; fi; \
	fi

variants: setup variants-deps
	$(BIN)/python bench/variants/generate.py

# rebuild the committed fixtures and the demo firmware (needs the build tools and cross compilers)
fixtures: setup
	$(BIN)/python examples/build_demo.py
	$(BIN)/python tests/fixtures/unpack/build.py
	$(BIN)/python tests/fixtures/config/build_fixtures.py
	$(BIN)/python tests/fixtures/source/build_fixtures.py
	bash tests/fixtures/binary/build.sh

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info .pytest_cache
