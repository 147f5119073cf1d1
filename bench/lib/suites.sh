# The three forms of the 100 checks and how each tool is invoked on them, shared by all sections.
# Sourced by bench/run.sh after PYTHON is resolved.
# shellcheck shell=bash disable=SC2034  # used by the sections that run after this file

LOCAL_SPEC=bench/specs/local100.swift
TESTINFRA_SUITE=bench/testinfra/test_local100.py
SERVERSPEC_SUITE=bench/serverspec/spec/local100_spec.rb

# Testinfra is loaded explicitly with plugin autoloading off (see run.sh); the cache provider
# would write .pytest_cache into the repository.
TESTINFRA=("$PYTHON" -m pytest -p testinfra.plugin -p no:cacheprovider -c bench/testinfra/pytest.ini -q)
SERVERSPEC=(rspec --default-path bench/serverspec/spec -I bench/serverspec/spec)

# The warm cache is the benchmark's own, filled by the warm-up run; the cold one is new for every
# run. Neither touches the user's ~/.cache/infraspec.
prepare_infraspec_warm() { RUN_ENV=(XDG_CACHE_HOME="$BENCH_TMP/cache-warm"); }

prepare_infraspec_cold() {
  RUN_ENV=(XDG_CACHE_HOME="$(mktemp -d "$BENCH_TMP/cache-cold.XXXXXX")")
}
