package dev.blindspot.grid;

import dev.blindspot.datasets.PreparedDataset;
import dev.blindspot.result.CellResult;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a grid's trainings and cells one after another in this JVM, without Spark: the baseline the grid's
 * Spark throughput is measured against, and a way to debug one cell under a plain debugger.
 */
public final class LocalGridRunner {
    private LocalGridRunner() {
    }

    /**
     * @param threads ND4J native threads for every operation (the machine's cores, for a fair baseline)
     */
    public static List<CellResult> run(GridSpec spec, RunInfo run, Map<String, PreparedDataset.Ref> data,
                                       int threads) {
        CellWork work = new CellWork(spec, run, data, threads);
        List<TrainingJob> trainings = spec.trainings(data);
        Map<String, TrainingOutcome> trained = new HashMap<>();
        for (TrainingJob job : trainings) {
            trained.put(job.key(), work.train(job));
        }
        List<CellResult> rows = new ArrayList<>();
        for (Cell cell : spec.cells(trainings)) {
            rows.add(work.run(cell, trained.get(cell.training().key())));
        }
        return rows;
    }
}
