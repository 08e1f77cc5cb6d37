package dev.cascade.cli;

/** Something went wrong that ends the command with a given exit code and a one-line message. */
final class Failure extends RuntimeException {

    private static final long serialVersionUID = 1L;

    final int exitCode;

    Failure(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }
}
