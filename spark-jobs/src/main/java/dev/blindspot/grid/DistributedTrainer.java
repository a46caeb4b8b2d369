package dev.blindspot.grid;

import dev.blindspot.datasets.DatasetSplits;
import dev.blindspot.datasets.PreparedDataset;
import dev.blindspot.data.ImageSet;
import dev.blindspot.experiment.PreparedData;
import dev.blindspot.model.Architectures;
import dev.blindspot.model.Classifier;
import dev.blindspot.model.Trainer;
import dev.blindspot.nd4j.NativeKernels;
import dev.blindspot.util.Seeds;
import dev.blindspot.util.Shuffles;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.api.Repartition;
import org.deeplearning4j.spark.api.WorkerConfiguration;
import org.deeplearning4j.spark.api.worker.NetBroadcastTuple;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingWorker;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Phase 1 in {@code distributed} mode: one model trained across the cluster with dl4j-spark's parameter
 * averaging. Every epoch the driver draws the data order from the model's seed (as {@link Trainer} does),
 * executors build the minibatches from their own copy of the prepared dataset (augmentation seeded per
 * batch, then the trigger, then normalization: {@link Trainer#batch}), and {@link SparkComputationGraph}
 * runs its rounds: each of {@code workers} tasks fits {@code averaging} minibatches on its copy of the
 * network, then the driver averages parameters and momentum. The learning-rate schedule follows the
 * epochs as in local training.
 *
 * <p>The rounds are deterministic for a given number of workers: the data is partitioned by us (no
 * repartitioning shuffle, whose fetch order varies), dl4j's split of each epoch into rounds is seeded, and
 * averaging two workers' parameters does not depend on which finished first. With more than two workers
 * the sum runs in task completion order, which can change the last bits.
 */
final class DistributedTrainer {
    private DistributedTrainer() {
    }

    /** One minibatch of one epoch: the training-set indices it holds, in order. */
    record BatchRef(int epoch, int index, int[] ids) implements java.io.Serializable {
    }

    /**
     * @param ref      the prepared dataset, which executors load
     * @param prepared the same data on the driver (its size and classes shape the network and the epochs)
     */
    static Classifier train(JavaSparkContext jsc, GridSpec spec, TrainingJob job, PreparedDataset.Ref ref,
                            PreparedData prepared, DatasetSplits d, int threadsPerTask) {
        TrainingMode.Resolved mode = job.mode();
        ImageSet images = prepared.training().images();
        // Each worker fits batch-size / workers images per step, so that one round of steps sees as many images
        // per update as local training does and an epoch makes as many updates: the recipe stays the study's.
        int batchSize = mode.batchPerWorker(spec.training().batchSize());
        ComputationGraph net = Architectures.byName(job.model()).build(images.numClasses(), spec.training(),
                Seeds.derive(job.seed(), "init"));

        ParameterAveragingTrainingMaster.Builder settings = new ParameterAveragingTrainingMaster.Builder(
                mode.workers(), batchSize)
                .batchSizePerWorker(batchSize)
                .averagingFrequency(mode.averagingFrequency())
                .saveUpdater(true)                               // average momentum too, not only weights
                .rddTrainingApproach(RDDTrainingApproach.Direct) // batches stay in memory, no export to disk
                .repartionData(Repartition.Never)                // our partitions are the workers: see the class doc
                .storageLevel(null)                              // we persist (and release) each epoch ourselves
                .rngSeed(Seeds.derive(job.seed(), "averaging-rounds"));
        int threads = spec.nd4jThreads() > 0 ? spec.nd4jThreads() : threadsPerTask;
        PreparedWorkers master = new PreparedWorkers(settings, spec.fastKernels(), threads);
        SparkComputationGraph sparkNet = new SparkComputationGraph(jsc, net, master);

        String rendered = spec.render();
        long seed = job.seed();
        SplittableRandom order = new SplittableRandom(Seeds.derive(seed, "order"));
        int[] perm = new int[images.size()];
        for (int i = 0; i < perm.length; i++) {
            perm[i] = i;
        }
        int epochs = spec.training().epochs();
        for (int epoch = 0; epoch < epochs; epoch++) {
            Shuffles.shuffle(perm, order);
            List<BatchRef> batches = new ArrayList<>();
            for (int from = 0, b = 0; from < perm.length; from += batchSize, b++) {
                batches.add(new BatchRef(epoch, b, java.util.Arrays.copyOfRange(perm, from,
                        Math.min(perm.length, from + batchSize))));
            }
            jsc.setJobDescription("phase 1: distributed training of " + job.model() + " on " + job.dataset()
                    + " seed " + seed + ", epoch " + (epoch + 1) + "/" + epochs + " (" + mode.spec() + ")");
            JavaRDD<MultiDataSet> data = jsc.parallelize(batches, mode.workers())
                    .mapPartitions(it -> buildBatches(it, rendered, ref, seed))
                    .persist(StorageLevel.MEMORY_AND_DISK_SER());
            try {
                sparkNet.fitMultiDataSet(data);
            } finally {
                data.unpersist(false);
            }
            Trainer.checkParametersFinite(sparkNet.getNetwork(), epoch, spec.training());
        }
        master.releaseBroadcast();
        return new Classifier(sparkNet.getNetwork(), d.normalization());
    }

    /** On an executor: the minibatches of one partition, built from the prepared dataset loaded once per JVM. */
    private static Iterator<MultiDataSet> buildBatches(Iterator<BatchRef> refs, String rendered,
                                                       PreparedDataset.Ref ref, long seed) {
        GridSpec spec = GridSpec.parse(rendered);
        DatasetSplits d = PreparedDataset.load(ref.path());
        PreparedData prepared = PreparedData.prepare(d.train(), spec.attack(), spec.cleanSplit(), seed);
        byte[] scratch = new byte[spec.training().batchSize() * ImageSet.IMAGE_BYTES]; // ≥ a worker's batch
        List<MultiDataSet> out = new ArrayList<>();
        while (refs.hasNext()) {
            BatchRef b = refs.next();
            SplittableRandom augment = new SplittableRandom(Seeds.derive(seed, "augment:" + b.epoch() + ":" + b.index()));
            Trainer.Batch batch = Trainer.batch(prepared.training(), d.normalization(), d.augmentation(), b.ids(), 0,
                    b.ids().length, augment, scratch);
            out.add(new org.nd4j.linalg.dataset.MultiDataSet(batch.features(), batch.labels()));
        }
        return out.iterator();
    }

    /**
     * dl4j-spark's parameter-averaging master whose workers first run {@link ExecutorRuntime#ensure}: the
     * oneDNN kernels (attached when the worker builds its network, so a hook per minibatch would be too late)
     * and OpenMP's thread count on the task's own thread. Also releases each round's broadcast of the
     * parameters when the next round starts, which dl4j-spark leaves to the garbage collector.
     */
    static final class PreparedWorkers extends ParameterAveragingTrainingMaster {
        private final NativeKernels.Policy policy;
        private final int threads;
        private transient Broadcast<NetBroadcastTuple> last;

        PreparedWorkers(Builder settings, NativeKernels.Policy policy, int threads) {
            super(settings);
            this.policy = policy;
            this.threads = threads;
        }

        @Override
        public ParameterAveragingTrainingWorker getWorkerInstance(SparkComputationGraph graph) {
            ComputationGraph net = graph.getNetwork();
            INDArray updater = net.getUpdater().getStateViewArray();
            releaseBroadcast();
            last = graph.getSparkContext().broadcast(new NetBroadcastTuple(net.getConfiguration(), net.params(), updater));
            WorkerConfiguration worker = new WorkerConfiguration(true, rddDataSetNumExamples, batchSizePerWorker,
                    averagingFrequency, prefetchNumBatches, collectTrainingStats);
            return new PreparedWorker(last, saveUpdater, worker, policy, threads);
        }

        void releaseBroadcast() {
            if (last != null) {
                last.unpersist(false);
                last = null;
            }
        }
    }

    /** A parameter-averaging worker that prepares the executor's runtime before it builds its network. */
    static final class PreparedWorker extends ParameterAveragingTrainingWorker {
        private final NativeKernels.Policy policy;
        private final int threads;

        PreparedWorker(Broadcast<NetBroadcastTuple> broadcast, boolean saveUpdater, WorkerConfiguration configuration,
                       NativeKernels.Policy policy, int threads) {
            super(broadcast, saveUpdater, configuration, null, null, null);
            this.policy = policy;
            this.threads = threads;
        }

        @Override
        public ComputationGraph getInitialModelGraph() {
            ExecutorRuntime.ensure(policy, threads);
            return super.getInitialModelGraph();
        }
    }
}
