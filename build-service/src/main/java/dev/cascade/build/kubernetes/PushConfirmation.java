package dev.cascade.build.kubernetes;

import dev.cascade.buildstep.BuildOutcome;

/** Confirms with the registry that a build pod really pushed what it reported, before the build counts as succeeded. */
public interface PushConfirmation {

    /**
     * @return the pushed image's canonical name
     * @throws dev.cascade.buildstep.process.BuildStepException when the registry does not have the image under that digest
     *         (transient when the registry could not be asked)
     */
    String confirm(BuildOutcome outcome);
}
