package org.dl4jvae.model;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The values a numeric configuration field may take, checked by {@link VaeConfig#validate()} for every field of every
 * configuration class: at least {@link #min()} (above it if {@link #minOpen()}), below {@link #max()} (at most it if
 * {@link #maxClosed()}); never NaN, infinite only where the range is.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
public @interface Range {
    double min();

    boolean minOpen() default false;

    double max() default Double.POSITIVE_INFINITY;

    boolean maxClosed() default false;
}
