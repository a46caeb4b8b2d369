# Blindspot: `make run` runs the default grid, `make test` runs the tests. Java 17 and Maven 3.8+.
MVN ?= mvn -B -q
CONFIG ?= conf/default.conf
ARGS ?=

SOURCES := $(shell find pom.xml common datasets spark-jobs -name pom.xml -o -path '*/src/main/*' -type f 2>/dev/null)
BUILT := spark-jobs/target/.built

.PHONY: build run test package clean help

help:
	@echo "make run      build if needed, then run the default grid ($(CONFIG)) on Spark local[*]"
	@echo "make test     unit and end-to-end tests"
	@echo "make package  build the jars"
	@echo "make clean    remove build output (results/ is kept)"

$(BUILT): $(SOURCES)
	$(MVN) install -DskipTests
	@touch $@

build: $(BUILT)

run: $(BUILT)
	bin/blindspot run --config $(CONFIG) $(ARGS)

test:
	$(MVN) install -DskipTests=false
	@touch $(BUILT)

package:
	$(MVN) package -DskipTests
	@ls -la */target/*.jar

clean:
	$(MVN) clean
