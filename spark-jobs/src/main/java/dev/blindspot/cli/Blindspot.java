package dev.blindspot.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;

/** {@code blindspot}: the root command. Subcommands do the work; this maps failures to exit codes. */
@Command(name = "blindspot", mixinStandardHelpOptions = true, versionProvider = CodeVersion.Provider.class,
        description = "Do backdoor defenses still work once a model is quantized? Runs the grid "
                + "dataset x model x precision x defense x seed on Spark and writes one Parquet row per cell.",
        subcommands = {RunCommand.class, ReportCommand.class, DatasetsCommand.class, CommandLine.HelpCommand.class})
public final class Blindspot implements Runnable {
    /** Finished; every cell has a row (some may be {@code error} rows). */
    public static final int EXIT_OK = 0;
    /** The run failed after it started (Spark, I/O, a failed training). */
    public static final int EXIT_FAILED = 1;
    /** Bad command line or config: nothing was run and nothing written. */
    public static final int EXIT_USAGE = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a subcommand, e.g. 'blindspot run'");
    }

    public static void main(String[] args) {
        int code = execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true));
        System.exit(code);
    }

    /** Runs the command line with the given streams (tests pass their own) and returns the exit code. */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Blindspot());
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof UsageException) {
                commandLine.getErr().println("blindspot: " + e.getMessage());
                return EXIT_USAGE;
            }
            commandLine.getErr().println("blindspot: run failed: " + e);
            e.printStackTrace(commandLine.getErr());
            return EXIT_FAILED;
        });
        return cl.execute(args);
    }

    /** A problem with what the user asked for: reported as one line, exit {@link #EXIT_USAGE}. */
    static final class UsageException extends RuntimeException {
        UsageException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
