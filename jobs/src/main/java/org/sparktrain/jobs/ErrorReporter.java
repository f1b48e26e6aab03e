package org.sparktrain.jobs;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparktrain.driver.config.ConfigException;
import org.sparktrain.driver.output.OutputExistsException;
import org.sparktrain.driver.spark.PreflightException;
import org.sparktrain.driver.train.RoundTimeoutException;
import org.sparktrain.driver.train.TrainingDivergedException;
import org.sparktrain.kernels.data.CorruptDataException;
import picocli.CommandLine;

/**
 * Turns failures into one clear line on stderr and an exit code. Domain errors thrown on executors
 * arrive wrapped in Spark exceptions; the cause chain is searched for them.
 */
final class ErrorReporter implements CommandLine.IExecutionExceptionHandler {
  private static final Logger LOG = LoggerFactory.getLogger(ErrorReporter.class);

  @Override
  public int handleExecutionException(Exception ex, CommandLine cl, CommandLine.ParseResult parsed) {
    Throwable domain = find(ex);
    int code = code(domain);
    String message = domain != null ? domain.getMessage() : firstLine(ex);
    cl.getErr().println("sparktrain: error: " + org.sparktrain.driver.output.Secrets.redact(message));
    if (code == ExitCodes.FAILURE) {
      LOG.error("unexpected failure", ex);
    }
    cl.getErr().flush();
    return code;
  }

  private static Throwable find(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof ConfigException || c instanceof CorruptDataException || c instanceof OutputExistsException
          || c instanceof PreflightException || c instanceof TrainingDivergedException
          || c instanceof RoundTimeoutException
          || c instanceof org.sparktrain.driver.registry.VerificationException
          || c instanceof org.sparktrain.driver.registry.RegistryConflictException) {
        return c;
      }
      if (c.getCause() == c) {
        break;
      }
    }
    return null;
  }

  private static int code(Throwable domain) {
    if (domain instanceof org.sparktrain.driver.registry.VerificationException) {
      return ExitCodes.UNVERIFIED;
    }
    if (domain instanceof org.sparktrain.driver.registry.RegistryConflictException) {
      return ExitCodes.REGISTRY_CONFLICT;
    }
    if (domain instanceof ConfigException) {
      return ExitCodes.USAGE;
    }
    if (domain instanceof CorruptDataException) {
      return ExitCodes.BAD_DATA;
    }
    if (domain instanceof OutputExistsException) {
      return ExitCodes.OUTPUT_EXISTS;
    }
    if (domain instanceof PreflightException) {
      return ExitCodes.CLUSTER;
    }
    if (domain instanceof TrainingDivergedException || domain instanceof RoundTimeoutException) {
      return ExitCodes.TRAINING_STOPPED;
    }
    return ExitCodes.FAILURE;
  }

  private static String firstLine(Throwable t) {
    String m = t.getMessage() == null ? t.getClass().getName() : t.getMessage();
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }
}
