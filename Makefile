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
