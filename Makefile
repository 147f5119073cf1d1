# InfraSpec lab: a fleet of PoP hosts (network namespaces with sshd) on this machine; see lab/README.md.
# make lab LAB_HOSTS=20 LAB_FLAGS="--duplicate-mac --shared-secret"
# make lab LAB_INIT=mixed   (PoPs boot systemd, OpenRC or sysv-rc as PID 1; see lab/README.md)
LAB_HOSTS ?= 4
LAB_FLAGS ?=
LAB_INIT ?=

.PHONY: lab lab-down lab-check

lab:
	bash lab/up.sh $(LAB_FLAGS) $(if $(LAB_INIT),--init $(LAB_INIT)) $(LAB_HOSTS)

lab-down:
	bash lab/down.sh

lab-check:
	bash lab/check.sh

# Installing: `make install PREFIX=/usr/local` (DESTDIR=... for packaging). infraspec finds its
# library, module and link objects in PREFIX/lib/infraspec, so it works from any directory; spec
# files still compile with the Swift toolchain that built it (`infraspec build` output needs none).
# The suite installs its own debug build: `make install NO_BUILD=1 BIN=.build/debug PREFIX=/tmp/x`
# (swift test holds .build, so nothing may build; BIN must then hold generate-manual too).
PREFIX ?= /usr/local
RELEASE = swift build -c release
BIN = $(shell $(RELEASE) --show-bin-path)
LIB = $(DESTDIR)$(PREFIX)/lib/infraspec
SHARE = $(DESTDIR)$(PREFIX)/share

.PHONY: release install uninstall

release:
	$(RELEASE)
	$(RELEASE) --product generate-manual

install: $(if $(NO_BUILD),,release)
	install -d $(DESTDIR)$(PREFIX)/bin $(LIB)/Modules $(SHARE)/man/man1 $(SHARE)/bash-completion/completions \
	  $(SHARE)/zsh/site-functions $(SHARE)/fish/vendor_completions.d
	install -m 0755 $(BIN)/infraspec $(DESTDIR)$(PREFIX)/bin/infraspec
	install -m 0755 $(BIN)/libInfraSpec.so $(LIB)/libInfraSpec.so
	# Spec files compile against the InfraSpec* modules alone (library evolution, one per layer).
	install -m 0644 $(BIN)/Modules/InfraSpec*.swiftmodule $(BIN)/Modules/InfraSpec*.swiftinterface $(LIB)/Modules/
	# What `infraspec build` links a spec binary from: infraspec's own objects, as one.
	ld -r -o $(LIB)/infraspec-objects.o @$(BIN)/infraspec.product/Objects.LinkFileList
	rm -rf .build/man && mkdir -p .build/man && $(BIN)/generate-manual $(BIN)/infraspec --output-directory .build/man
	install -m 0644 .build/man/infraspec.1 $(SHARE)/man/man1/infraspec.1
	$(BIN)/infraspec --generate-completion-script bash > $(SHARE)/bash-completion/completions/infraspec
	$(BIN)/infraspec --generate-completion-script zsh > $(SHARE)/zsh/site-functions/_infraspec
	$(BIN)/infraspec --generate-completion-script fish > $(SHARE)/fish/vendor_completions.d/infraspec.fish

uninstall:
	rm -rf $(LIB) $(DESTDIR)$(PREFIX)/bin/infraspec $(SHARE)/man/man1/infraspec.1 \
	  $(SHARE)/bash-completion/completions/infraspec $(SHARE)/zsh/site-functions/_infraspec \
	  $(SHARE)/fish/vendor_completions.d/infraspec.fish
