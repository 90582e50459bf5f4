package org.dl4jvae.model;

/** A configuration setting with a value it cannot take; {@link #setting()} is its JSON name (for example {@code lr}). */
public final class InvalidSettingException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final String setting;
    private final String problem;

    public InvalidSettingException(String setting, String problem) {
        super(setting + " " + problem);
        this.setting = setting;
        this.problem = problem;
    }

    public String setting() {
        return setting;
    }

    /** The message without the setting's name, for front ends that name it their own way. */
    public String problem() {
        return problem;
    }
}
