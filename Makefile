# koppel: build, test, demo and benchmarks. Run `make help` for the list.
GO        ?= go
BIN       := bin
PLUGINS   := onetoshop magento woocommerce snelstart-online snelstart-mdb
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -s -w -X main.version=$(VERSION)
# -trimpath leaves the build machine's paths out of the binaries, so the same source and Go
# version give the same bytes (and the same SHA-256 in koppel-plugins.lock) on any machine.
GOFLAGS_BUILD := -trimpath -ldflags "$(LDFLAGS)"
FUZZTIME  ?= 10s
PROTO_DIR := sdk/internal/protocol/v1

.PHONY: help deps build test test-unit test-fuzz cross demo bench soak lint proto clean

help:
	@echo "make build   build bin/koppel and bin/koppel-plugin-* for this machine"
	@echo "make demo    build, start the simulators and run the demo profile (no accounts needed)"
	@echo "make dist    release archives for linux/amd64, linux/arm64, windows/amd64 and SHA256SUMS in dist/"
	@echo "make test    install what the tests need (make deps), lint, build for linux and windows, run every test and a short fuzz run"
	@echo "make deps    install mdbtools and chromium with apt-get when missing (as root), or say what to install"
	@echo "make bench   run the benchmarks and print their figures"
	@echo "make soak    long fuzz and soak runs (not part of make test)"
	@echo "make lint    gofmt check and go vet"
	@echo "make proto   regenerate the protobuf code (needs protoc, protoc-gen-go, protoc-gen-go-grpc)"

build:
	$(GO) build $(GOFLAGS_BUILD) -o $(BIN)/koppel ./host
	@for p in $(PLUGINS); do \
		echo "$(GO) build -trimpath -o $(BIN)/koppel-plugin-$$p ./plugins/$$p"; \
		$(GO) build $(GOFLAGS_BUILD) -o $(BIN)/koppel-plugin-$$p ./plugins/$$p || exit 1; \
	done

# dist builds the release archives into dist/: per platform koppel, the bundled plugins (the
# SnelStart desktop plugin 32-bit on Windows) with their koppel-plugins.lock, the docs and the
# example profiles, built with -trimpath and VERSION stamped; plus SHA256SUMS. DIST_TARGETS
# narrows the platforms (e.g. DIST_TARGETS=linux/amd64).
DIST_TARGETS ?= linux/amd64,linux/arm64,windows/amd64
dist:
	rm -rf dist
	$(GO) run ./host/internal/release/cmd/dist -out dist -version $(VERSION) -targets $(DIST_TARGETS)

# cross checks that the host and every plugin compile for Windows (SnelStart desktop users run it).
cross:
	GOOS=windows GOARCH=amd64 $(GO) build $(GOFLAGS_BUILD) -o /dev/null ./host
	@for p in $(PLUGINS); do \
		echo "GOOS=windows GOARCH=amd64 $(GO) build -trimpath ./plugins/$$p"; \
		GOOS=windows GOARCH=amd64 $(GO) build $(GOFLAGS_BUILD) -o /dev/null ./plugins/$$p || exit 1; \
	done
	# The Access ODBC driver that ships with Windows is 32-bit only.
	GOOS=windows GOARCH=386 $(GO) build $(GOFLAGS_BUILD) -o /dev/null ./plugins/snelstart-mdb
	GOOS=windows GOARCH=amd64 $(GO) build $(GOFLAGS_BUILD) -o /dev/null ./examples/plugins/orderfiles

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' | grep -v '\.pb\.go$$')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

# deps installs the outside programs the tests need (mdbtools, chromium) when they are missing and
# this runs as root on Debian; otherwise it names them and the command to run.
deps:
	@scripts/deps.sh

test: deps lint build cross test-unit test-fuzz

test-unit:
	$(GO) test -count=1 -timeout 15m ./...

# A short run of every fuzz target; `make soak` runs them longer.
test-fuzz:
	@scripts/fuzz.sh $(FUZZTIME)

# soak also imports a 100,000-order history (BenchmarkImport with KOPPEL_SOAK=1): orders/s and
# the peak memory of the host and each plugin, to compare with the 1,000 and 10,000 figures.
soak:
	@scripts/fuzz.sh 5m
	KOPPEL_SOAK=1 $(GO) test -count=1 -timeout 80m -run 'Soak' ./...
	KOPPEL_SOAK=1 $(GO) test -run '^$$' -bench 'BenchmarkImport|BenchmarkLimitShare' -benchtime 1x -timeout 90m ./host/internal/e2e | tee soak-bench.out | grep -E '^(Benchmark|ok|FAIL|---)'

# Every benchmark once with Go's default 1s budget: micro-benchmarks repeat, the large ones
# (50,000 orders, 20,000 articles, a rate-limited minute) run a single iteration. Each prints its
# figures (ledger calls per order, orders/s, memory, ...) as extra columns; bench.out keeps all.
bench:
	$(GO) test -run '^$$' -bench . -benchmem -timeout 30m ./... | tee bench.out | grep -E '^(Benchmark|ok|FAIL|---)'

demo: build
	@scripts/demo.sh

proto:
	cd $(PROTO_DIR) && protoc --go_out=. --go_opt=paths=source_relative \
		--go-grpc_out=. --go-grpc_opt=paths=source_relative koppel.proto

clean:
	rm -rf $(BIN) bench.out soak-bench.out dist
