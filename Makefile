# Kiln: the two commands a newcomer runs are `make run` and `make test`.
SWIFT ?= swift
SYSTEM_PACKAGES = libtcc-dev libopenblas-dev tcc gcc-multilib libopenmpi-dev openmpi-bin
KILN_RELEASE = .build/release/kiln
KILN_DEBUG = .build/debug/kiln
SUDO = $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test test-matrix test-sanitize fuzz deps build graphs generated clean snippets onnx-table docs gemm-bench standalone-bench

## Installs the system libraries Kiln links (libtcc, OpenBLAS) and Open MPI (loaded only by
## `kiln train --distributed`, and run by its tests) when they are missing.
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

## The demo: compile the MLP with libtcc, run it and check it against the float64 interpreter, show
## what the optimizer does to a CNN, train the digits MLP, and profile the MLP on the roofline.
run: build
	$(KILN_RELEASE) models
	$(KILN_RELEASE) run mlp --check
	@# The optimization report of the zoo's small CNN (the digits MLP until the CNN is in the zoo).
	@model=$$($(KILN_RELEASE) models | cut -d' ' -f1 | grep -x cnn-digits || echo mlp-digits); \
	  echo "$(KILN_RELEASE) show $$model --plan --brief"; $(KILN_RELEASE) show $$model --plan --brief
	$(KILN_RELEASE) train mlp-digits --data digits
	$(KILN_RELEASE) profile mlp

## The test suite, the distributed tests under mpirun included (deps installs Open MPI, and
## KILN_REQUIRE_MPI makes a missing mpirun a failure instead of a skipped suite).
test: deps
	$(SWIFT) build --build-tests
	KILN_REQUIRE_MPI=1 $(SWIFT) test --skip-build

## The suite four ways: OpenBLAS on 1 and 2 threads, each with its AVX2 kernels forced (as some
## machines set in their environment) and with its own choice of kernels. CI runs plain `make test`
## in the environment the machine has; the tests themselves never set these variables.
OPENBLAS_KERNEL_VARIANTS = "OPENBLAS_CORETYPE=Haswell OPENBLAS_L2_SIZE=512" "-u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE"
test-matrix: deps
	$(SWIFT) build --build-tests
	@for threads in 1 2; do for kernels in $(OPENBLAS_KERNEL_VARIANTS); do \
	  echo "== make test-matrix: OPENBLAS_NUM_THREADS=$$threads, env $$kernels"; \
	  env $$kernels OPENBLAS_NUM_THREADS=$$threads $(SWIFT) test --skip-build || exit 1; \
	done; done; echo "== make test-matrix: all four passed"

## The concurrency stress (threads sharing executables, compiling and training at once; every
## result equal to the serial one) built and run under AddressSanitizer and ThreadSanitizer, each in
## its own build folder. STRESS_ARGS: threads, then calls per thread.
STRESS_ARGS ?= 8 24
test-sanitize: deps
	$(SWIFT) build --product kiln-stress --sanitize=address --scratch-path .build-asan
	.build-asan/debug/kiln-stress $(STRESS_ARGS)
	$(SWIFT) build --product kiln-stress --sanitize=thread --scratch-path .build-tsan
	TSAN_OPTIONS="halt_on_error=1 $$TSAN_OPTIONS" .build-tsan/debug/kiln-stress $(STRESS_ARGS)

## Fuzzes the readers of every input a user gives Kiln (.kiln, ONNX, .npy, safetensors, CSV), the
## tool's arguments (each case a run of `kiln`) and the compiler (random graphs compiled and compared
## with the interpreter) from the seeds in Fuzz/corpus/<target>/, FUZZ_SECONDS per target, each case
## in a child process; inputs that crash, hang or mismatch are saved to Fuzz/findings/<target>/ and
## fail the target; FUZZ_TARGETS picks targets (all by default). Not part of `make test`.
FUZZ_SECONDS ?= 60
FUZZ_SEED ?= 1
FUZZ_TARGETS ?=
fuzz: deps
	$(SWIFT) build --product kiln-fuzz
	$(SWIFT) build --product kiln
	.build/debug/kiln-fuzz --seconds $(FUZZ_SECONDS) --seed $(FUZZ_SEED) --corpus Fuzz/corpus --findings Fuzz/findings $(FUZZ_TARGETS)

## Rewrites graphs/*.kiln from the zoo (a test fails when they drift).
graphs: deps
	$(SWIFT) build --product kiln
	@for model in $$($(KILN_DEBUG) models | cut -d' ' -f1); do \
	  $(KILN_DEBUG) graph $$model > graphs/$$model.kiln && echo "wrote graphs/$$model.kiln"; done

clean:
	rm -rf .build .build-asan .build-tsan Fuzz/findings

## The standalone C's built-in GEMM against OpenBLAS single-thread sgemm on the MLP's and ResNet-18's
## shapes: prints the ratio. GEMM_CFLAGS sets the compiler's flags (the target's -march).
GEMM_CFLAGS ?= -std=c99 -O3 -march=native
gemm-bench: deps
	$(SWIFT) build --product kiln
	$(KILN_DEBUG) emit mlp -o .build/gemm-bench > /dev/null
	$(CC) $(GEMM_CFLAGS) -I.build/gemm-bench -o .build/gemm-bench/ratio Scripts/builtin_gemm_ratio.c -lopenblas -lm
	taskset -c 0 .build/gemm-bench/ratio 2>/dev/null || .build/gemm-bench/ratio

## NAME_run of the standalone C (built-in GEMM, external weights) of issue 19's six models, one core:
## the median time of each. SPEED_CFLAGS sets the compiler's flags.
SPEED_CFLAGS ?= -std=c99 -O3 -march=native
SPEED_MODELS = mlp lenet5 mobilenet_v2 resnet18 transformer_block gelu_stream
standalone-bench: deps
	$(SWIFT) build --product kiln
	@for model in $(SPEED_MODELS); do \
	  dir=.build/standalone-bench/$$model; upper=$$(echo $$model | tr a-z A-Z); \
	  $(KILN_DEBUG) emit $$model -o $$dir > /dev/null || exit 1; \
	  set -- $$(grep -o "#define $${upper}_[A-Z0-9_]*_ELEMENTS" $$dir/$$model.h | cut -d' ' -f2); \
	  $(CC) $(SPEED_CFLAGS) -DNAME=$$model -DUPPER=$$upper -DINPUT=$$1 -DOUTPUT=$$2 -I$$dir -o $$dir/speed \
	    Scripts/standalone_speed.c $$dir/$$model.c -lm || exit 1; \
	  (cd $$dir && (taskset -c 0 ./speed 2>/dev/null || ./speed)) || exit 1; done

## Rewrites generated/ (standalone C of several zoo models; a test fails when it drifts).
## Weight files stay out of git except lenet5's, which is embedded in its C.
GENERATED_MODELS = mlp resnet18 mobilenet_v2 transformer_encoder lstm
generated: deps
	$(SWIFT) build --product kiln
	@for model in $(GENERATED_MODELS); do $(KILN_DEBUG) emit $$model -o generated/$$model > /dev/null && echo "wrote generated/$$model"; done
	@$(KILN_DEBUG) emit lenet5 -o generated/lenet5 --embed-weights > /dev/null && echo "wrote generated/lenet5"

## Rewrites Tests/KilnTests/DocumentationSnippets.swift from the Swift code blocks of README.md and
## the DocC articles (a test fails when they drift; every snippet is compiled and run by the tests).
onnx-table: deps
	$(SWIFT) build --build-tests
	KILN_UPDATE_ONNX_TABLE=1 $(SWIFT) test --skip-build --filter ONNXOperatorTableTests/theReadmeTableIsCurrent

snippets: deps
	$(SWIFT) build --build-tests
	KILN_UPDATE_SNIPPETS=1 $(SWIFT) test --skip-build --filter DocumentationSnippetTests/snippetsAreCurrent
	$(SWIFT) build --build-tests

## Builds the DocC documentation of the Kiln module into .build/docs (open .build/docs/index.html
## through a local web server, e.g. `python3 -m http.server -d .build/docs`).
docs: deps
	$(SWIFT) package --allow-writing-to-directory .build/docs generate-documentation --target Kiln \
	  --output-path .build/docs --transform-for-static-hosting --disable-indexing
