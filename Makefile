# Warden: `make run` starts the kernel, `make test` runs every test. Both install what they need first.
SHELL := /bin/bash
CONFIG ?= debug
SWIFT ?= swift
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_PACKAGES := libseccomp-dev libcap-dev libjansson-dev libsqlite3-dev libpcre2-dev libsodium-dev libcurl4-openssl-dev \
	python3-venv bubblewrap
# The bundled plugins all run the one multi-call binary `warden-plugin`, placed in each folder's bin/.
BUNDLED := files shell http echo policy rules hunter
VENV := $(CURDIR)/.venv
TIME_VENV := $(CURDIR)/Plugins/time/.venv
SWIFTFLAGS := -c $(CONFIG)
BIN = $(shell $(SWIFT) build $(SWIFTFLAGS) --show-bin-path)

.PHONY: run test build deps python launcher plugins bench bench-launcher bench-log bench-policy bench-hunter bench-approvals format clean

run: build python
	@mkdir -p workspace
	$(BIN)/warden serve --workspace workspace

test: build python
	WARDEN_PYTHON=$(VENV)/bin/python $(SWIFT) test $(SWIFTFLAGS)

# System packages: installed with apt-get only when one is missing.
deps:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing: $$missing"; \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

build: deps
	$(SWIFT) build $(SWIFTFLAGS)
	$(MAKE) -C Sandbox OUT=$(BIN)
	@for p in $(BUNDLED); do mkdir -p Plugins/$$p/bin; \
		ln -f $(BIN)/warden-plugin Plugins/$$p/bin/warden-plugin 2>/dev/null || \
		cp -f $(BIN)/warden-plugin Plugins/$$p/bin/warden-plugin; done

# Python: the test client (the official MCP SDK), the independent DSSE verifier, Cedar for the policy
# benchmark; and the third-party time server in its own plugin folder. Debian's python3, so the confined
# plugin finds its interpreter under /usr.
python: $(VENV)/.installed $(TIME_VENV)/.installed

$(VENV)/.installed: deps
	/usr/bin/python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check mcp securesystemslib cedarpy pyyaml
	touch $@

$(TIME_VENV)/.installed: deps
	/usr/bin/python3 -m venv $(TIME_VENV)
	$(TIME_VENV)/bin/pip install -q --disable-pip-version-check mcp-server-time
	touch $@

bench: bench-launcher bench-log bench-policy bench-hunter bench-approvals

# The log: appends/s with group commit beside raw Ed25519 signing and raw SQLite inserts, and verify time over
# 100,000 entries (medians of 5 runs; Benchmarks/log/README.md has the last figures).
bench-log: deps
	$(SWIFT) build -c release --product warden-log-bench
	$$($(SWIFT) build -c release --show-bin-path)/warden-log-bench

# The approval queue: resume latency after an approval is recorded, and listing 1,000 pending requests
# (Benchmarks/approvals/README.md has the last figures).
bench-approvals: deps
	$(SWIFT) build -c release --product warden-approval-bench
	$$($(SWIFT) build -c release --show-bin-path)/warden-approval-bench

format:
	$(SWIFT) format --in-place --recursive Sources Tests Package.swift

clean:
	rm -rf .build Plugins/*/bin
