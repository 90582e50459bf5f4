package org.dl4jvae.model.samediff;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import org.dl4jvae.model.NativeThreads;
import org.dl4jvae.model.OneDnn;
import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.blas.Blas;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.BaseOp;
import org.nd4j.linalg.api.ops.CustomOp;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.Op;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.api.ops.impl.reduce.Mmul;
import org.nd4j.linalg.api.ops.impl.reduce.MmulBp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.shape.LongShapeDescriptor;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Executes a SameDiff function (here: the gradient function of the VAE graph) as a fixed list of its own ops, each
 * bound once to its input and output arrays; later executions only run the ops.
 *
 * <p>Why: SameDiff 1.0.0-M2.1's executor ({@code InferenceSession}) spends most of a training step of this small
 * model in Java bookkeeping around each op (dependency tracking, variable lookups by name through regular
 * expressions and tries, a fresh output array per op): about 20 ms per step of which the ops themselves take about
 * 6 (measured on this project's 2-core machine). The graph has no control flow, so one topological order serves
 * every step, and outputs can be reused whenever the batch size is unchanged.
 *
 * <p>Three liberties, all exact: ops that nothing required depends on are dropped (the sigmoid of the image, the
 * gradient with respect to the data), a {@code matmul_bp} becomes the products it needs (only {@code A^T dC}
 * when its input gradient is unused), and outputs that copy an input are that input ({@link Copies}). One more, exact
 * up to rounding: a 3x3 transposed convolution's forward pass runs as forward convolutions ({@link PhaseDeconv}).
 */
final class OpSchedule {

    /**
     * An op bound to its arrays; {@code deconv}: how a transposed convolution's forward pass runs, else null;
     * {@code onlyGradient}: of a {@code multiply_bp}, the one input gradient that is read (0 or 1), else -1.
     */
    private record Step(DifferentialFunction op, OpContext context, String[] inputs, String[] outputs,
            PhaseDeconv deconv, int onlyGradient) {
        Step(DifferentialFunction op, OpContext context, String[] inputs, String[] outputs, int onlyGradient) {
            this(op, context, inputs, outputs, op.opName().equals("deconv2d") ? new PhaseDeconv() : null, onlyGradient);
        }
    }

    private final SameDiff fn;
    private final List<Step> steps = new ArrayList<>();
    /** The values a needed op reads, and the required outputs. */
    private final Set<String> needed;
    /** The outputs of zeroslike ops: zeros, computed once per binding. */
    private final Set<String> zeros = new HashSet<>();
    /**
     * Of the bound shapes: the ops some of whose outputs are bound to an input they copy ({@link Copies}), with what
     * is left to run of them; and the zeroslike ops, whose zeros stay as binding wrote them.
     */
    private final Map<Step, Runnable> shortcuts = new IdentityHashMap<>();
    private final Set<String> placeholders = new HashSet<>();
    private final Map<String, INDArray> values = new HashMap<>();
    private Map<String, long[]> boundShapes; // null until the first run
    private final long largestWeights; // values of the largest weight matrix
    private boolean products; // of the bound shapes: whether the products run in oneDNN (OneDnn.takesProducts)
    private final boolean convolutional; // runs ops of ONEDNN, and so its products on one BLAS thread (see run)
    /** What the schedule runs, which decides where its matrix products run. */
    enum Mode {
        /** Evaluation: the products of large steps in oneDNN on every core ({@link OneDnn#takesProducts}). */
        EVALUATION,
        /**
         * A training step: as in evaluation, and a small step's products in oneDNN on the calling thread
         * ({@link OneDnn#smallStep}).
         */
        TRAINING,
        /**
         * One part of a larger training step, on one of several threads at once ({@link StepParts}): its products in
         * oneDNN whatever its batch, on the calling thread's OpenMP team, with the helpers on as the caller holds them
         * for all parts; its bias gradients summed in Java at any batch.
         */
        PART
    }

    private final Mode mode;
    private boolean oneThread; // of the bound shapes: a small training step's products run in oneDNN on this thread
    /** Of the bound shapes: the convolutions that run over slices of their batch, and in how many. */
    private final Map<Step, Integer> slices = new IdentityHashMap<>();
    /** The arrays this schedule allocated (not the caller's weights). */
    private final List<INDArray> owned = new ArrayList<>();
    /**
     * Of the bound shapes, where they make a whole training step whose products run in oneDNN on every core: the ops
     * that run on one thread per core if the process allows it ({@link NativeThreads#wide}). ND4J's softplus and
     * sigmoid, which call the C library for every value, then take half as long. At 256 x 400, in one JVM, 20
     * alternating pairs of 20-step blocks: median 0.862 of the time, faster in 19 of 20 (2 cores). Only ops with at
     * least {@link NativeThreads#WIDE_MIN} output values, products aside (oneDNN's, already on every core): for smaller
     * ones handing half of the work to OpenMP's second thread costs more than it saves (with every op of a 256 x 400
     * step on two threads, the adds took 0.59 ms a step against 0.44, reduce_sum_bp 0.24 against 0.10, bench
     * --profile).
     * Steps with convolutions keep their threads (not measured), parts of a step ({@link StepParts}) run one per core
     * already, and the reference model's 128-row steps keep their products in OpenBLAS and so are never wide: their
     * numbers do not move.
     */
    private final Set<Step> wideOps = Collections.newSetFromMap(new IdentityHashMap<>());
    /** Whether the run in progress runs {@link #wideOps} on one thread per core. */
    private boolean wideRun;
    /** Wide runs so far, in this JVM (for tests). */
    private static final LongAdder WIDE_RUNS = new LongAdder();

    /**
     * @param fn the function to run
     * @param arrays the arrays of its variables and constants (shared with the caller: updates are seen)
     * @param required the outputs the caller reads
     */
    OpSchedule(SameDiff fn, Map<String, INDArray> arrays, Set<String> required) {
        this(fn, arrays, required, Mode.EVALUATION);
    }

    /**
     * @param mode what it runs; a {@link Mode#PART} must have its own copy of the function, as binding sets arrays on
     *        the function's ops
     */
    OpSchedule(SameDiff fn, Map<String, INDArray> arrays, Set<String> required, Mode mode) {
        this.fn = fn;
        this.mode = mode;
        Map<String, DifferentialFunction> producer = new HashMap<>();
        for (DifferentialFunction op : fn.ops()) {
            for (String out : op.outputVariablesNames()) {
                producer.put(out, op);
            }
        }
        Set<String> allPlaceholders = new HashSet<>();
        long weights = 0;
        for (SDVariable v : fn.variables()) {
            if (v.getVariableType() == VariableType.PLACEHOLDER) {
                allPlaceholders.add(v.name());
            } else if (v.getVariableType() != VariableType.ARRAY) {
                INDArray arr = arrays.containsKey(v.name()) ? arrays.get(v.name()) : v.getArr();
                if (arr != null) {
                    values.put(v.name(), arr);
                    if (v.getVariableType() == VariableType.VARIABLE && arr.rank() == 2) {
                        weights = Math.max(weights, arr.length());
                    }
                }
            }
        }
        // Which values are read by a needed op, walking back from the required outputs.
        needed = new HashSet<>(required);
        Set<DifferentialFunction> neededOps = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        List<String> todo = new ArrayList<>(required);
        while (!todo.isEmpty()) {
            DifferentialFunction op = producer.get(todo.remove(todo.size() - 1));
            if (op == null || !neededOps.add(op)) {
                continue;
            }
            for (String in : op.argNames()) {
                if (needed.add(in)) {
                    todo.add(in);
                }
            }
        }
        for (String name : needed) { // only the placeholders that a needed op reads must be fed
            if (allPlaceholders.contains(name)) {
                placeholders.add(name);
            }
        }
        Set<String> available = new HashSet<>(values.keySet());
        available.addAll(placeholders);
        for (DifferentialFunction op : fn.ops()) { // SameDiff lists a function's ops in a valid execution order
            if (!neededOps.contains(op)) {
                continue;
            }
            for (Step step : bind(op, needed)) {
                for (String in : step.inputs()) {
                    if (!available.contains(in)) {
                        throw new IllegalStateException("op " + op.getOwnName() + " reads " + in
                                + " before it is computed");
                    }
                }
                available.addAll(Arrays.asList(step.outputs()));
                steps.add(step);
                if (op.opName().equals("zeroslike")) {
                    zeros.addAll(Arrays.asList(step.outputs()));
                }
            }
        }
        for (String r : required) {
            if (!available.contains(r)) {
                throw new IllegalArgumentException("no op computes " + r);
            }
        }
        convolutional = steps.stream().anyMatch(s -> ONEDNN.contains(s.op().opName()));
        largestWeights = weights;
    }

    /** A matmul_bp of an untransposed product. */
    private static boolean untransposedMmulBp(DifferentialFunction op) {
        return op instanceof MmulBp bp && Arrays.stream(bp.iArgs()).allMatch(a -> a == 0);
    }

    /**
     * The steps that compute an op's needed outputs: one, except for the backward pass of an untransposed product,
     * which becomes the products it needs ({@code dA = dC B^T} only if someone reads it, {@code dB = A^T dC}). ND4J's
     * matmul_bp runs the same two products through the same matmul op, so the numbers are the same; as separate
     * products they can go to oneDNN in large steps ({@link OneDnn#takesProducts}).
     */
    private static List<Step> bind(DifferentialFunction op, Set<String> needed) {
        if (untransposedMmulBp(op)) {
            String[] in = op.argNames(); // A, B, dC
            String[] outs = op.outputVariablesNames(); // dA, dB
            List<Step> products = new ArrayList<>(2);
            if (needed.contains(outs[0])) {
                products.add(product(in[2], in[1], false, true, outs[0]));
            }
            products.add(product(in[0], in[2], true, false, outs[1]));
            return products;
        }
        OpContext ctx = Nd4j.getExecutioner().buildContext();
        if (op instanceof DynamicCustomOp c) {
            ctx.setIArguments(c.iArgs());
            ctx.setTArguments(c.tArgs());
            ctx.setBArguments(c.bArgs());
            ctx.setDArguments(c.dArgs());
        } else if (!(op instanceof Op) || op.argNames().length != 1) { // a legacy op's 2nd input has many meanings
            throw new IllegalStateException("op " + op.getOwnName() + " (" + op.opName() + ") is not supported");
        }
        String[] outs = op.outputVariablesNames();
        int onlyGradient = -1;
        if (op.opName().equals("multiply_bp") && outs.length == 2 && needed.contains(outs[0]) != needed.contains(outs[1])) {
            onlyGradient = needed.contains(outs[0]) ? 0 : 1;
        }
        return List.of(new Step(op, ctx, op.argNames(), outs, onlyGradient));
    }

    /**
     * The backward pass of {@code x * y} of equal shapes when only one input's gradient is read: that gradient alone,
     * {@code dx = dz * y} (or {@code dy = dz * x}), with the same multiplication ND4J's {@code multiply_bp} uses for
     * it, so the same numbers. ND4J computes both, and with {@code relu(a) = a * step(a)} the gradient of the step is
     * never read: half of each such op's work (10 of them a step in the convolutional VAE, on its largest arrays).
     * Returns false, having done nothing, where the shapes differ (a broadcast input's gradient is a sum).
     */
    static boolean oneInputGradient(OpContext ctx, int which) {
        List<INDArray> in = ctx.getInputArrays();
        if (in.size() != 3 || ctx.getOutputArrays().size() != 2) {
            return false;
        }
        INDArray x = in.get(0);
        INDArray y = in.get(1);
        INDArray grad = in.get(2);
        INDArray out = ctx.getOutputArrays().get(which);
        if (!Arrays.equals(x.shape(), y.shape()) || !Arrays.equals(x.shape(), grad.shape())
                || !Arrays.equals(x.shape(), out.shape()) || x.dataType() != grad.dataType()
                || y.dataType() != grad.dataType() || out.dataType() != grad.dataType()) {
            return false;
        }
        Nd4j.exec(new MulOp(grad, which == 0 ? y : x, out));
        return true;
    }

    /** {@code out = op(a) op(b)}, op a transposition where asked. */
    private static Step product(String a, String b, boolean transposeA, boolean transposeB, String out) {
        OpContext ctx = Nd4j.getExecutioner().buildContext();
        ctx.setIArguments(transposeA ? 1 : 0, transposeB ? 1 : 0, 0);
        ctx.setTArguments(1.0, 0.0);
        return new Step(new Mmul(), ctx, new String[] {a, b}, new String[] {out}, -1);
    }

    /**
     * Runs every op with the given placeholder values; returns all computed values by name (arrays owned by the
     * schedule, overwritten by the next run).
     *
     * <p>A schedule with convolutions runs its matrix products on one BLAS thread. Why: after a product OpenBLAS's
     * other threads keep spinning on their cores for a while, and the convolution that follows runs in oneDNN on
     * OpenMP's team of one thread per core, which then shares a core with a spinning thread and waits for it at every
     * barrier. The products of the convolutional VAE are small (its dense layer of 16); one thread for them made a step
     * faster in 20 of 20 alternating pairs of 5-step blocks in one JVM, median 250 to 219 ms (2-core machine).
     */
    Map<String, INDArray> run(Map<String, INDArray> placeholderValues) {
        if (!convolutional || mode == Mode.PART) {
            return runOps(placeholderValues);
        }
        Blas blas = Nd4j.factory().blas();
        int threads = blas.getMaxThreads();
        blas.setMaxThreads(1);
        try {
            return runOps(placeholderValues);
        } finally {
            blas.setMaxThreads(threads);
        }
    }

    /** Of the bound shapes: the ops that run only in part or not at all ({@link Copies}, zeroslike); for tests. */
    int shortcuts() {
        return shortcuts.size();
    }

    /** Runs on one thread per core so far, in this JVM (for tests). */
    static long wideRuns() {
        return WIDE_RUNS.sum();
    }

    private Map<String, INDArray> runOps(Map<String, INDArray> placeholderValues) {
        if (!placeholderValues.keySet().equals(placeholders)) {
            throw new IllegalArgumentException("placeholders " + placeholders + " expected, got "
                    + placeholderValues.keySet());
        }
        if (boundShapes == null || !placeholderValues.entrySet().stream()
                .allMatch(e -> Arrays.equals(e.getValue().shape(), boundShapes.get(e.getKey())))) {
            rebind(placeholderValues); // which runs every op on these values
            return values;
        }
        for (Map.Entry<String, INDArray> e : placeholderValues.entrySet()) {
            INDArray own = values.get(e.getKey());
            if (own != e.getValue()) {
                own.assign(e.getValue());
            }
        }
        wideRun = !wideOps.isEmpty() && NativeThreads.wideStepsAllowed();
        if (wideRun) {
            WIDE_RUNS.increment();
        }
        try {
            for (Step s : steps) {
                exec(s);
            }
        } finally {
            wideRun = false;
        }
        return values;
    }

    /**
     * Allocates every output for the placeholders' shapes and binds each op to its arrays. The arrays outlive any
     * workspace the caller has open, so they are allocated outside it.
     */
    private void rebind(Map<String, INDArray> placeholderValues) {
        try (MemoryWorkspace ws = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            bind(placeholderValues);
        }
    }

    private void bind(Map<String, INDArray> placeholderValues) {
        // the previous shape's arrays are freed now rather than by the garbage collector, whose native memory they would
        // otherwise hold (a rebind happens at every epoch's last, smaller batch and between evaluation batch sizes)
        for (INDArray old : owned) {
            if (old.closeable()) {
                old.close();
            }
        }
        owned.clear();
        slices.clear();
        wideOps.clear();
        shortcuts.clear();
        boundShapes = new HashMap<>();
        long batch = placeholderValues.values().stream().filter(v -> v.rank() > 0).mapToLong(v -> v.size(0)).max()
                .orElse(0);
        products = mode == Mode.PART || OneDnn.takesProducts(batch, largestWeights);
        oneThread = mode == Mode.TRAINING && !products && OneDnn.smallStep(batch);
        placeholderValues.forEach((k, v) -> {
            INDArray own = v.dup();
            owned.add(own);
            values.put(k, own);
            boundShapes.put(k, v.shape());
        });
        for (Step s : steps) {
            INDArray[] in = Arrays.stream(s.inputs()).map(values::get).toArray(INDArray[]::new);
            OpContext ctx = s.context();
            ctx.setInputArrays(in);
            List<LongShapeDescriptor> shapes = s.op() instanceof CustomOp c
                    ? Nd4j.getExecutioner().calculateOutputShape(c, ctx)
                    : ((BaseOp) s.op()).calculateOutputShape(ctx);
            if (bindCopies(s, in, shapes, batch)) {
                continue;
            }
            INDArray[] out = new INDArray[s.outputs().length];
            for (int i = 0; i < out.length; i++) {
                out[i] = allocate(s.outputs()[i], shapes.get(i).getShape());
            }
            ctx.setOutputArrays(out);
            // ND4J's helper switch is one for the process and other threads may hold it on (OneDnn.withHelpers): an op
            // that keeps ND4J's own kernel says so in its context, so that its numbers never depend on another thread
            ctx.allowHelpers(inOneDnn(s.op().opName()));
            int n = ONEDNN.contains(s.op().opName()) ? BatchSlices.count(ctx) : 1;
            if (n > 1) {
                slices.put(s, n);
            }
            if (s.op() instanceof BaseOp legacy) {
                // the executioner asks a legacy op whether it is a no-op (a reduction over a dimension of size 1) from
                // the op's own arrays, not the context's
                legacy.setX(in[0]);
                legacy.setZ(out[0]);
            }
            // run now: a later op's output shape may depend on this one's values (the gradient of a reshape reads the
            // shape of its input as an array)
            exec(s);
            markWide(s);
            if (zeros.contains(s.outputs()[0])) {
                shortcuts.put(s, () -> { });
            }
        }
    }

    /** A new output array; always row-major: callers (Adam) read gradients in the parameters' order. */
    private INDArray allocate(String name, long[] shape) {
        INDArray a = Nd4j.create(fn.getVariable(name).dataType(), shape, 'c');
        owned.add(a);
        values.put(name, a);
        return a;
    }

    /**
     * Binds the outputs of an op that copy an input to that input ({@link Copies}) and runs what is left of it, if
     * anything; false, having bound nothing, for an op without such outputs or one that must run as it is.
     */
    private boolean bindCopies(Step s, INDArray[] in, List<LongShapeDescriptor> shapes, long batch) {
        String[] outs = s.outputs();
        long[][] outShapes = new long[outs.length][];
        DataType[] outTypes = new DataType[outs.length];
        for (int i = 0; i < outs.length; i++) {
            outShapes[i] = shapes.get(i).getShape();
            outTypes[i] = fn.getVariable(outs[i]).dataType();
        }
        boolean[] zeroIn = new boolean[in.length];
        for (int i = 0; i < in.length; i++) {
            zeroIn[i] = zeros.contains(s.inputs()[i]);
        }
        int[] source = Copies.of(s.op().opName(), in, outShapes, outTypes, zeroIn);
        if (Arrays.stream(source).allMatch(i -> i == Copies.NONE)) {
            return false;
        }
        boolean[] copied = new boolean[outs.length];
        boolean[] unread = new boolean[outs.length];
        INDArray[] out = new INDArray[outs.length];
        for (int i = 0; i < outs.length; i++) {
            copied[i] = source[i] != Copies.NONE;
            unread[i] = !copied[i] && !needed.contains(outs[i]);
            if (copied[i]) {
                out[i] = in[source[i]];
            } else if (!unread[i]) {
                out[i] = Nd4j.create(outTypes[i], outShapes[i], 'c');
            }
        }
        Runnable rest = Copies.rest(s.op().opName(), in, out, copied, unread,
                mode == Mode.PART || batch >= LARGE_BATCH);
        if (rest == null) {
            for (int i = 0; i < outs.length; i++) {
                if (out[i] != null && !copied[i]) {
                    out[i].close();
                }
            }
            return false;
        }
        for (int i = 0; i < outs.length; i++) {
            if (out[i] != null) {
                values.put(outs[i], out[i]);
                if (!copied[i]) {
                    owned.add(out[i]);
                }
            }
        }
        shortcuts.put(s, rest);
        exec(s);
        return true;
    }

    /** See {@link OneDnn#LARGE_BATCH}: from this many rows the schedule sums bias gradients itself ({@link Copies}). */
    static final long LARGE_BATCH = OneDnn.LARGE_BATCH;

    /**
     * The ops run with ND4J's platform helpers (oneDNN), on every core: convolutions, 5 to 30 times faster than without
     * oneDNN, and a quarter faster on two threads than on one (measured on 2 cores, while this model's element-wise ops
     * are fastest on one thread each; see the app's --threads). The matrix products of large steps join them (see
     * {@link OneDnn#takesProducts}).
     */
    private static final Set<String> ONEDNN = Set.of("conv2d", "conv2d_bp", "deconv2d", "deconv2d_bp");


    private void markWide(Step s) {
        if (mode != Mode.TRAINING || convolutional || !products || s.op().opName().equals("matmul")) {
            return;
        }
        for (INDArray o : s.context().getOutputArrays()) {
            if (o.length() >= NativeThreads.WIDE_MIN) {
                wideOps.add(s);
                return;
            }
        }
    }

    private void exec(Step s) {
        if (wideRun && wideOps.contains(s)) {
            NativeThreads.wide(() -> {
                timed(s);
                return null;
            });
        } else {
            timed(s);
        }
    }

    private void timed(Step s) {
        boolean timing = OpTimes.on();
        long t0 = timing ? System.nanoTime() : 0;
        Runnable rest = shortcuts.get(s);
        if (rest != null) {
            rest.run();
        } else {
            run(s);
        }
        if (timing) {
            OpTimes.add(s.op().opName(), System.nanoTime() - t0);
        }
    }

    /** Whether an op of this name runs in oneDNN with the bound shapes (the rest keep ND4J's own kernels). */
    private boolean inOneDnn(String name) {
        return ONEDNN.contains(name) || (products || oneThread) && name.equals("matmul");
    }

    private void run(Step s) {
        String name = s.op().opName();
        if (s.onlyGradient() >= 0 && oneInputGradient(s.context(), s.onlyGradient())) {
            return;
        }
        if (inOneDnn(name)) {
            Integer n = slices.get(s);
            Runnable op = () -> {
                if (n != null) {
                    BatchSlices.run(s.context(), n, c -> runWhole(s, c));
                } else {
                    runWhole(s, s.context());
                }
            };
            if (mode == Mode.PART) { // the caller holds the helpers on for all parts
                op.run();
            } else if (oneThread && !ONEDNN.contains(name)) { // a small training step's product
                OneDnn.onThisThread(op);
            } else {
                OneDnn.onEveryCore(op);
            }
        } else if (s.op() instanceof CustomOp c) {
            Nd4j.exec(c, s.context());
        } else {
            Nd4j.exec((Op) s.op(), s.context());
        }
    }

    private static void runWhole(Step s, OpContext ctx) {
        if (s.deconv() == null || !s.deconv().run(ctx)) {
            Nd4j.exec((CustomOp) s.op(), ctx);
        }
    }
}
