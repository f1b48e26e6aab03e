package org.sparktrain.jobs;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.sparktrain.jobs.deploy.Deployer;
import org.sparktrain.jobs.deploy.DeployValidator;
import org.sparktrain.jobs.deploy.Target;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sparktrain deploy render|validate}: cluster, EMR, Dataproc and Kubernetes artefacts from one deploy config. */
@Command(name = "deploy", mixinStandardHelpOptions = true,
    description = "Render and validate submission artefacts (standalone, emr, emr-serverless, dataproc, "
        + "dataproc-serverless, kubernetes) and their schedulers from one deploy config.",
    subcommands = {DeployCommand.Render.class, DeployCommand.Validate.class})
final class DeployCommand {

  /** The named targets; none or "all" is the empty list: the targets the config has sections for. */
  static List<Target> targets(List<String> names) {
    List<Target> t = new ArrayList<>();
    if (!names.contains("all")) {
      for (String n : names) {
        t.add(Target.of(n));
      }
    }
    return t;
  }

  @Command(name = "render", mixinStandardHelpOptions = true, description = "Write the artefacts of --target "
      + "(repeatable, default all) into --output, a new directory.")
  static final class Render implements Callable<Integer> {
    @Option(names = "--config", required = true, paramLabel = "FILE", description = "Deploy config (deploy/examples/*.yaml).")
    Path config;

    @Option(names = "--target", split = ",", paramLabel = "T", description = "standalone, emr, emr-serverless, "
        + "dataproc, dataproc-serverless, kubernetes or all (default).")
    List<String> target = new ArrayList<>();

    @Option(names = "--output", required = true, paramLabel = "DIR", description = "New or empty directory.")
    Path output;

    @Override
    public Integer call() throws IOException {
      List<String> files = Deployer.renderTo(config, targets(target), output);
      PrintStream out = System.out;
      files.forEach(f -> out.println(output.resolve(f)));
      out.println("deploy render: " + files.size() + " files in " + output + "; check them with: sparktrain deploy "
          + "validate --rendered " + output);
      return ExitCodes.OK;
    }
  }

  @Command(name = "validate", mixinStandardHelpOptions = true, description = "Offline checks with the real clients "
      + "(aws, gcloud, jsonschema, botocore, systemd-analyze, python3): render --config into a temporary directory, "
      + "or check --rendered DIR as it is. Exit 0 when no check fails, 14 when one does.")
  static final class Validate implements Callable<Integer> {
    @Option(names = "--config", paramLabel = "FILE", description = "Deploy config to render and check.")
    Path config;

    @Option(names = "--rendered", paramLabel = "DIR", description = "Check an already rendered directory instead.")
    Path rendered;

    @Option(names = "--target", split = ",", paramLabel = "T", description = "Targets to check (default all).")
    List<String> target = new ArrayList<>();

    @Override
    public Integer call() throws IOException {
      if ((config == null) == (rendered == null)) {
        throw new org.sparktrain.driver.config.ConfigException("--config/--rendered", "pass exactly one of them");
      }
      Path dir = rendered;
      if (config != null) {
        dir = Files.createTempDirectory("sparktrain-deploy-");
        Deployer.renderTo(config, targets(target), dir);
      }
      List<Target> checked = targets(target);
      DeployValidator.Report r = DeployValidator.validate(dir, checked.isEmpty() ? Deployer.renderedTargets(dir) : checked,
          System.out);
      System.out.println("deploy validate: " + r.passed() + " passed, " + r.failed() + " failed, " + r.skipped()
          + " skipped (" + dir + ")");
      return r.failed() == 0 ? ExitCodes.OK : ExitCodes.DEPLOY_INVALID;
    }
  }
}
