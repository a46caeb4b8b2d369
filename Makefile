# Blindspot: `make run` runs the default grid, `make test` runs the tests. Java 17 and Maven 3.8+.
MVN ?= mvn -B -q
CONFIG ?= conf/default.conf
ARGS ?=

SOURCES := $(shell find pom.xml common datasets spark-jobs -name pom.xml -o -path '*/src/main/*' -type f 2>/dev/null)
BUILT := spark-jobs/target/.built

.PHONY: build run test test-package report package bench bench-quick bench-grid bench-data bench-schemes literature literature-reclassify torch report-tools clean help

help:
	@echo "make run      build if needed, then run the default grid ($(CONFIG)) on Spark local[*]"
	@echo "make test     unit and end-to-end tests (installs Debian's chromium and jupyter for the report's tests)"
	@echo "make report   the report of a finished run again: RESULTS=results/default"
	@echo "make package  the jar for spark-submit (spark-jobs/target/blindspot-spark-jobs-*-submit.jar)"
	@echo "make test-package  that jar runs a small grid under SparkSubmit"
	@echo "make bench    throughput vs PyTorch (installs Debian's python3-torch) and grid throughput"
	@echo "make bench-grid  only the grid's throughput: Spark local[2] vs one JVM, sequential"
	@echo "make bench-data  time to read the real subsets vs. loading their prepared form"
	@echo "make literature  the reference defenses vs. the literature on the real subsets (issue 6; ~3 h here)"
	@echo "make literature-reclassify  then Activation Clustering with exclusionary reclassification (~45 min here)"
	@echo "make clean    remove build output (results/ is kept)"

$(BUILT): $(SOURCES)
	$(MVN) install -DskipTests
	@touch $@

build: $(BUILT)

run: $(BUILT)
	bin/blindspot run --config $(CONFIG) $(ARGS)

test: report-tools
	$(MVN) install -DskipTests=false
	@touch $(BUILT)

report: $(BUILT)
	bin/blindspot report --results $(or $(RESULTS),results/default)

# The jar for spark-submit (Spark, Hadoop and Scala provided by the cluster): spark-jobs/target/*-submit.jar
package:
	$(MVN) install -DskipTests -Psubmit
	@ls -la spark-jobs/target/*-submit.jar

# The jar under Spark's own SparkSubmit with only Spark on the classpath (also run by .ci/run).
test-package: package
	spark-jobs/src/test/sh/spark-submit-check.sh

# Benchmarks live here, never in `make test`: figures are ratios measured in one run.
bench: $(BUILT) torch
	BLINDSPOT_MAIN=dev.blindspot.bench.Bench bin/blindspot spark-jobs/src/bench/python/torch_bench.py

bench-quick: $(BUILT) torch
	BLINDSPOT_MAIN=dev.blindspot.bench.Bench bin/blindspot spark-jobs/src/bench/python/torch_bench.py quick

bench-grid: $(BUILT)
	BLINDSPOT_MAIN=dev.blindspot.bench.Bench bin/blindspot spark-jobs/src/bench/python/torch_bench.py grid

bench-data: $(BUILT)
	BLINDSPOT_MAIN=dev.blindspot.bench.DataBench bin/blindspot ../shared/datasets

# Every precision scheme on one stored model: MODEL=results/x/models/K.zip DATA=results/x/prepared/D.bsds
bench-schemes: $(BUILT)
	BLINDSPOT_MAIN=dev.blindspot.bench.SchemeBench bin/blindspot $(MODEL) $(DATA) $(or $(SEED),1) $(or $(CLEAN_SPLIT),500)

# The literature check of the defenses (DESIGN.md §6): BadNet and clean models, then the study's variants.
literature: $(BUILT)
	bin/blindspot run --config conf/literature.conf $(ARGS)
	bin/blindspot run --config conf/literature-authors.conf $(ARGS)
	bin/blindspot run --config conf/literature-clean.conf $(ARGS)
	bin/blindspot run --config conf/literature-lowrate.conf $(ARGS)
	bin/blindspot run --config conf/literature-lowrate-gtsrb.conf $(ARGS)
	bin/blindspot run --config conf/literature-lowrate-authors.conf $(ARGS)
	bin/blindspot run --config conf/literature-lowrate-gtsrb-authors.conf $(ARGS)
	bin/blindspot run --config conf/literature-paper.conf $(ARGS)

# Activation Clustering confirmed by Chen et al.'s exclusionary reclassification (one retraining per cell: 4-12 min
# on GTSRB) on `make literature`'s low-rate BadNet models and GTSRB's clean ones (on CIFAR-10's clean models no label
# is suspicious, so there is nothing to confirm). Run `make literature` first: its models are reused.
# $(1): a literature config whose models (results/$(1)/models) the run reuses; $(2): further overrides.
reclassify = bin/blindspot run --config conf/$(1).conf --out results/$(1)-reclassify \
	--set run.models=results/$(1)/models $(2) --set 'grid.defenses=[activation-clustering]' \
	--set defenses.activation-clustering.confirm=exclusionary-reclassification $(ARGS)
literature-reclassify: $(BUILT)
	$(call reclassify,literature-lowrate)
	$(call reclassify,literature-lowrate-gtsrb)
	$(call reclassify,literature-clean,--set 'grid.datasets=[gtsrb]')

# The report's tests open report.html in headless Chromium and execute the notebook with Jupyter.
REPORT_PACKAGES := chromium jupyter-nbconvert python3-ipykernel python3-pandas python3-matplotlib
report-tools:
	@command -v chromium >/dev/null && command -v jupyter >/dev/null && \
	  /usr/bin/python3 -c 'import pandas, matplotlib, ipykernel' 2>/dev/null || { apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(REPORT_PACKAGES); }

torch:
	@/usr/bin/python3 -c 'import torch' 2>/dev/null || { apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-torch; }

clean:
	$(MVN) clean
