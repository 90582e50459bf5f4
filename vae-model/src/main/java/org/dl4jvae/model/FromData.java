package org.dl4jvae.model;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a configuration field that the data decides (the input size, the number of classes), set by
 * {@link VaeConfig#forData}: front ends offer no option for it.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
public @interface FromData {
}
