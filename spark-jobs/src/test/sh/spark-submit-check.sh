#!/usr/bin/env bash
# `make test-package`: the spark-submit jar runs a grid under Spark's own SparkSubmit with nothing but Spark on
# the classpath (what a Spark distribution's jars/ holds), proving Blindspot's side is complete in the jar. The
# model is trained with dl4j-spark's parameter averaging (training.mode = distributed), so that path is checked too.
set -euo pipefail
cd "$(dirname "$0")/../../../.."
jar=$(ls spark-jobs/target/blindspot-spark-jobs-*-submit.jar)
# Spark, Hadoop, Scala and their dependencies: the build's classpath without Blindspot, DL4J/ND4J and the
# libraries the jar bundles.
sparkcp=$(tr ':' '\n' < spark-jobs/target/classpath.txt | grep -v -E '/target/classes|blindspot-|deeplearning4j|/nd4j|javacpp|openblas|/config-|picocli|jfreechart|byteunits|flatbuffers|neoitertools|oshi-core|/jna|threetenbp|fastutil-6|/resources-1\.0\.0|/protobuf-1\.0\.0|/guava-1\.0\.0|/jackson-1\.0\.0|datavec|dl4j-spark|freemarker|opencsv|t-digest|oshi-json|javax\.json|javax\.activation' | paste -sd:)
opens=$(grep -o '<spark.java17.opens>[^<]*' pom.xml | sed 's/<spark.java17.opens>//')
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
java -Xmx3g $opens -cp "$sparkcp" org.apache.spark.deploy.SparkSubmit --master 'local[2]' \
  --class dev.blindspot.cli.Blindspot --conf spark.ui.enabled=false "$jar" \
  run --out "$out/grid" --set 'grid.seeds=[1]' --set 'grid.precisions=[fp32,int8]' \
  --set 'datasets.synthetic={classes=4,train-size=400,test-size=100}' --set defender.clean-split=40 \
  --set 'training={epochs=1,batch-size=64,mode=distributed}' > "$out/log" 2>&1 || { cat "$out/log"; exit 1; }
grep -q '^training: distributed(workers=2' "$out/log" || { cat "$out/log"; echo "spark-submit check: not trained distributed" >&2; exit 1; }
grep -q '^2 cells: 2 ok, 0 error' "$out/log" || { cat "$out/log"; echo "spark-submit check: the grid did not finish" >&2; exit 1; }
test -s "$out/grid/report.html" || { echo "spark-submit check: no report.html" >&2; exit 1; }
echo "spark-submit check: $(basename "$jar") ($(du -m "$jar" | cut -f1) MB) ran a 2-cell grid under SparkSubmit, its model trained across 2 workers"
