# Kiln: the two commands a newcomer runs are `make run` and `make test`.
SWIFT ?= swift
SYSTEM_PACKAGES = libtcc-dev libopenblas-dev
KILN_RELEASE = .build/release/kiln
KILN_DEBUG = .build/debug/kiln
SUDO = $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test deps build graphs clean

## Installs the system libraries Kiln links (libtcc, OpenBLAS) when they are missing.
deps:
	@missing=""; for package in $(SYSTEM_PACKAGES); do \
	  dpkg -s $$package >/dev/null 2>&1 || missing="$$missing $$package"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

## Builds the release `kiln` tool.
build: deps
	$(SWIFT) build -c release --product kiln

## The demo: compile the MLP with libtcc, run it, check it against the float64 interpreter, and show
## what the optimizer does to a CNN.
run: build
	$(KILN_RELEASE) models
	$(KILN_RELEASE) run mlp --check
	@# The optimization report of the zoo's small CNN (the digits MLP until the CNN is in the zoo).
	@model=$$($(KILN_RELEASE) models | cut -d' ' -f1 | grep -x cnn-digits || echo mlp-digits); \
	  echo "$(KILN_RELEASE) show $$model --plan --brief"; $(KILN_RELEASE) show $$model --plan --brief
	$(KILN_RELEASE) train mlp-digits --data digits

## The test suite.
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

## Rewrites graphs/*.kiln from the zoo (a test fails when they drift).
graphs: deps
	$(SWIFT) build --product kiln
	@for model in $$($(KILN_DEBUG) models | cut -d' ' -f1); do \
	  $(KILN_DEBUG) graph $$model > graphs/$$model.kiln && echo "wrote graphs/$$model.kiln"; done

clean:
	rm -rf .build
