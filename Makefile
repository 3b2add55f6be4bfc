# vipa: the two commands README opens with are `make demo` and `make test` (as root).
BUILD ?= build
JOBS ?= 2

.PHONY: all deps build test unit integration sanitize clean demo lab-clean dvipa-lab dvipa-test boot-test

all: build

deps:
	./scripts/install-deps.sh

build:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVIPA_WERROR=ON
	cmake --build $(BUILD) -j$(JOBS)

# Everything: dependencies, build, unit + integration tests (root: the integration tests make
# their own network namespaces), then the sanitizer build of the unit tests and fuzzers.
test: deps
	./scripts/run-tests.sh

unit: build
	ctest --test-dir $(BUILD) --output-on-failure -LE 'integration|dvipa_lab|boot'

integration: build
	ctest --test-dir $(BUILD) --output-on-failure -L integration

clean:
	rm -rf $(BUILD) build-asan build-fuzz

# IBM's sample end to end in network namespaces (lab/demo.sh): vipad, FRR, a telnet session through
# a link, an uplink and a silent failure, and lab/out/timeline.svg. Under a minute.
demo: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVIPA_WERROR=ON >/dev/null
	cmake --build $(BUILD) -j$(JOBS) --target vipad vipactl
	VIPAD=$(BUILD)/vipad VIPACTL=$(BUILD)/vipactl ./lab/demo.sh

# What an interrupted lab left: namespaces lab<PID>-* of dead shells, the lab's temp dirs.
lab-clean:
	./lab/clean.sh

# The Dynamic VIPA lab (lab/dvipa.sh): three hosts with vipad and FRR (ranks 200, 100, 50), two
# FRR routers and a client; the owner fails and returns while the client connects every 10 ms.
# DYN_MODE=bgp for BGP with BFD, DYN_HOLD=1 to keep it up afterwards.
dvipa-lab: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVIPA_WERROR=ON >/dev/null
	cmake --build $(BUILD) -j$(JOBS) --target vipad vipactl
	VIPAD=$(BUILD)/vipad VIPACTL=$(BUILD)/vipactl ./lab/dvipa.sh

# The three-host Dynamic VIPA scenes over OSPF and BGP (tests/integration/test_dvipa_lab_*.sh,
# test_dvipa_takeback.sh, test_dvipa_flap.sh): real FRR on every node, several minutes each.
dvipa-test: build
	ctest --test-dir $(BUILD) --output-on-failure -L dvipa_lab

# The Debian package under a real systemd as PID 1 (systemd-nspawn -b, a Debian 12 root made by
# mmdebstrap from Debian's mirror): tests/integration/test_real_boot.sh.
boot-test: build
	ctest --test-dir $(BUILD) --output-on-failure -L boot
