package org.dl4jvae.model.train;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.dl4jvae.model.InvalidSettingException;
import org.nd4j.linalg.schedule.ExponentialSchedule;
import org.nd4j.linalg.schedule.FixedSchedule;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.RampSchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.linalg.schedule.StepSchedule;

/**
 * How the learning rate moves from the model's {@code lr}, as ND4J's {@link ISchedule}s compute it where they have the
 * form: {@code constant}; {@code step} (times {@code gamma} every {@code step_epochs} epochs, ND4J's
 * {@link StepSchedule}); {@code exponential} (times {@code gamma} each epoch, {@link ExponentialSchedule});
 * {@code cosine} (from {@code lr} down to {@code min_lr} along half a cosine over all steps of the run);
 * {@code plateau} (times {@code gamma} whenever the selection loss has not improved for {@code patience} epochs,
 * decided by the trainer from the run's history). {@code warmup_steps} ramps any of them up linearly over the first
 * steps (ND4J's {@link RampSchedule}).
 *
 * @param type constant, step, exponential, cosine or plateau
 * @param stepEpochs epochs between decays of {@code step}
 * @param gamma the factor of {@code step}, {@code exponential} and {@code plateau}
 * @param minLr the floor of {@code cosine}
 * @param warmupSteps steps of linear warm-up (0 for none)
 * @param patience epochs without improvement before {@code plateau} decays
 */
public record LrSchedule(@JsonProperty("type") String type, @JsonProperty("step_epochs") int stepEpochs,
                         @JsonProperty("gamma") double gamma, @JsonProperty("min_lr") double minLr,
                         @JsonProperty("warmup_steps") int warmupSteps, @JsonProperty("patience") int patience) {

    /** The schedule names. */
    public static final java.util.List<String> TYPES = java.util.List.of("constant", "step", "exponential", "cosine",
            "plateau");

    public LrSchedule {
        if (type == null || !TYPES.contains(type)) {
            throw new InvalidSettingException("lr_schedule", "must be one of " + String.join(", ", TYPES) + ", got "
                    + type);
        }
        if (type.equals("step") && stepEpochs < 1) {
            throw new InvalidSettingException("lr_step_epochs", "must be at least 1 for a step schedule, got " + stepEpochs);
        }
        if (!(gamma > 0 && gamma <= 1)) {
            throw new InvalidSettingException("lr_gamma", "must be in (0, 1], got " + gamma);
        }
        if (!(minLr >= 0) || warmupSteps < 0 || patience < 0) {
            throw new InvalidSettingException(!(minLr >= 0) ? "lr_min" : warmupSteps < 0 ? "lr_warmup_steps"
                    : "lr_patience", "must not be negative");
        }
    }

    /** Reads the JSON form; what the file does not name takes the command line's default. */
    @com.fasterxml.jackson.annotation.JsonCreator
    static LrSchedule read(@JsonProperty("type") String type, @JsonProperty("step_epochs") Integer stepEpochs,
                           @JsonProperty("gamma") Double gamma, @JsonProperty("min_lr") Double minLr,
                           @JsonProperty("warmup_steps") Integer warmupSteps, @JsonProperty("patience") Integer patience) {
        return new LrSchedule(type == null ? "constant" : type, stepEpochs == null ? 10 : stepEpochs,
                gamma == null ? 0.5 : gamma, minLr == null ? 0 : minLr, warmupSteps == null ? 0 : warmupSteps,
                patience == null ? 3 : patience);
    }

    /** A constant learning rate. */
    public static LrSchedule constant() {
        return new LrSchedule("constant", 1, 1.0, 0, 0, 0);
    }

    /** The schedule of a run: {@code base} the model's lr, {@code totalSteps} the steps of all its epochs. */
    public ISchedule toSchedule(double base, int totalSteps) {
        ISchedule s = switch (type) {
            case "step" -> new StepSchedule(ScheduleType.EPOCH, base, gamma, stepEpochs);
            case "exponential" -> new ExponentialSchedule(ScheduleType.EPOCH, base, gamma);
            case "cosine" -> new Cosine(base, minLr, totalSteps);
            default -> new FixedSchedule(base); // constant, and plateau's base (its decays come from the history)
        };
        return warmupSteps > 0 ? new RampSchedule(s, warmupSteps) : s;
    }

    /** lr(t) = min + (base - min) (1 + cos(pi t / T)) / 2 over steps t of T (ND4J has no cosine schedule). */
    static final class Cosine implements ISchedule {
        private final double base;
        private final double min;
        private final int total;

        Cosine(double base, double min, int total) {
            this.base = base;
            this.min = min;
            this.total = Math.max(1, total);
        }

        @Override
        public double valueAt(int iteration, int epoch) {
            double t = Math.min(iteration, total) / (double) total;
            return min + (base - min) * (1 + Math.cos(Math.PI * t)) / 2;
        }

        @Override
        public ISchedule clone() {
            return new Cosine(base, min, total);
        }
    }
}
