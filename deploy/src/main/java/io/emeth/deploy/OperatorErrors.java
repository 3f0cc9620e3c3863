package io.emeth.deploy;

import picocli.CommandLine;

/**
 * Turns an {@link OperatorException} into the one-line message an operator acts on, and anything
 * else into a message plus the stack trace (a bug, not bad input).
 */
final class OperatorErrors implements CommandLine.IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(
            Exception e, CommandLine cl, CommandLine.ParseResult parseResult) {
        if (e instanceof OperatorException) {
            cl.getErr().println("emeth " + cl.getCommandName() + ": " + e.getMessage());
            return 2;
        }
        cl.getErr().println("emeth " + cl.getCommandName() + " failed: " + e);
        e.printStackTrace(cl.getErr());
        return 1;
    }
}
