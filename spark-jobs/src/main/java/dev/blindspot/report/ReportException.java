package dev.blindspot.report;

/** A results directory the report cannot read, with a message that says what is wrong and what to do. */
public final class ReportException extends RuntimeException {
    public ReportException(String message) {
        super(message);
    }

    public ReportException(String message, Throwable cause) {
        super(message, cause);
    }
}
