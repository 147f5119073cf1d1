# InfraSpec lab: a fleet of PoP hosts (network namespaces with sshd) on this machine; see lab/README.md.
# make lab LAB_HOSTS=20 LAB_FLAGS="--duplicate-mac --shared-secret"
LAB_HOSTS ?= 4
LAB_FLAGS ?=

.PHONY: lab lab-down lab-check

lab:
	bash lab/up.sh $(LAB_FLAGS) $(LAB_HOSTS)

lab-down:
	bash lab/down.sh

lab-check:
	bash lab/check.sh
